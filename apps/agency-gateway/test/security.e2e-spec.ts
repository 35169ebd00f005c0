import { randomUUID } from 'node:crypto';
import {
  alertBody,
  api,
  awaitDeliveries,
  createAgency,
  expectEventually,
  issueKey,
  submitAccepted,
  submitAlert,
  testEnvironment,
  TestAgency,
} from '@hub/testing';

const env = testEnvironment();

describe('authentication, roles and object-level authorization', () => {
  let sender: TestAgency;
  let recipient: TestAgency;
  let outsider: TestAgency;
  let alertId: string;

  beforeAll(async () => {
    [sender, recipient, outsider] = await Promise.all([createAgency('RU'), createAgency('KZ'), createAgency('KG')]);
    ({ alertId } = await submitAccepted(sender.key, alertBody([recipient.id])));
    await awaitDeliveries(recipient.key, alertId, (entries) => entries.length === 1);
  });

  describe('an agency that may not see an alert gets 404 on every endpoint that takes its id', () => {
    it.each([
      ['read', 'GET', '', undefined],
      ['ack', 'POST', '/ack', { version: 1, status: 'received' }],
      ['update', 'POST', '/versions', { ...alertBody([]), baseVersion: 1 }],
      ['cancel', 'POST', '/cancel', { reason: 'not mine' }],
    ])('%s', async (_name, method, suffix, body) => {
      const response = await api(env.gateway, method as string, `/v1/alerts/${alertId}${suffix}`, {
        key: outsider.key,
        body,
      });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: 'not_found', message: 'alert not found', details: [] });
    });

    it('a recipient may read and ack but not update or cancel', async () => {
      expect((await api(env.gateway, 'GET', `/v1/alerts/${alertId}`, { key: recipient.key })).status).toBe(200);
      const update = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/versions`, {
        key: recipient.key,
        body: { ...alertBody([sender.id]), baseVersion: 1 },
      });
      expect(update.status).toBe(404);
      const cancel = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/cancel`, {
        key: recipient.key,
        body: { reason: 'x' },
      });
      expect(cancel.status).toBe(404);
    });

    it('an unknown or malformed alert id looks exactly the same', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const response = await api(env.gateway, 'GET', `/v1/alerts/${id}`, { key: outsider.key });
        expect(response.status).toBe(404);
        expect(response.body.error).toBe('not_found');
      }
    });
  });

  it.each(['sender', 'alertId', 'version', 'messageId', 'receivedAt'])(
    'a body that sets the hub-stamped field %s is a 400 naming it',
    async (field) => {
      const response = await submitAlert(sender.key, {
        ...alertBody([recipient.id]),
        [field]: field === 'version' ? 7 : 'X',
      });
      expect(response.status).toBe(400);
      expect(response.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: field })]));
    },
  );

  it('analyst keys belong to the regional centre: issuing one to a national agency is a 400 naming the role', async () => {
    const refused = await api(env.gateway, 'POST', `/v1/admin/agencies/${recipient.id}/keys`, {
      key: env.adminKey,
      body: { role: 'analyst' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([
      expect.objectContaining({ path: 'role', message: expect.stringContaining('regional centre') }),
    ]);
  });

  it('a key of the wrong role gets 403', async () => {
    const centre = await createAgency('KZ', 'regional-centre');
    const analyst = await issueKey(centre.id, 'analyst');
    const asAnalyst = await submitAlert(analyst.key, alertBody([sender.id]));
    expect(asAnalyst.status).toBe(403);
    expect(asAnalyst.body.error).toBe('forbidden');
    const agencyAsAdmin = await api(env.gateway, 'POST', '/v1/admin/agencies', {
      key: sender.key,
      body: { id: 'TJ-NOPE', name: 'x', country: 'TJ', kind: 'national-agency' },
    });
    expect(agencyAsAdmin.status).toBe(403);
  });

  it('rate limits count the verified key: requests that only claim a key id neither use up nor lock out its budget', async () => {
    const remaining = async (key: string) =>
      Number((await api(env.gateway, 'GET', '/v1/inbox?limit=1', { key })).headers.get('x-ratelimit-remaining'));
    const before = await remaining(recipient.key);
    // The victim's key id with a wrong secret: each is a 401, counted against the source address, not the key.
    const forged = recipient.key.slice(0, -4) + (recipient.key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (let i = 0; i < 30; i++) expect((await api(env.gateway, 'GET', '/v1/inbox', { key: forged })).status).toBe(401);
    expect(await remaining(recipient.key)).toBe(before - 1);
  });

  it('the coordination node and the audit log are rate limited like the gateway (they had no limit)', async () => {
    const limitOf = async (base: string) => (await api(base, 'GET', '/health')).headers.get('x-ratelimit-limit');
    const gatewayLimit = await limitOf(env.gateway);
    expect(Number(gatewayLimit)).toBeGreaterThan(0);
    expect(await limitOf(env.coordination)).toBe(gatewayLimit);
    expect(await limitOf(env.audit)).toBe(gatewayLimit);
  });

  it('every service counts a request before authenticating it: a bad key or a wrong role uses up the budget too', async () => {
    const bad = 'ahk_0000000000000000_' + 'A'.repeat(43);
    for (const [base, path] of [
      [env.gateway, '/v1/inbox'],
      [env.coordination, '/v1/stats'],
      [env.audit, '/v1/audit/checkpoint'],
    ]) {
      const refused = await api(base, 'GET', path, { key: bad });
      expect(refused.status).toBe(401);
      // The throttler ran (it sets its headers), so 401s are limited like any request.
      expect(Number(refused.headers.get('x-ratelimit-remaining'))).toBeGreaterThanOrEqual(0);
      expect(refused.headers.get('x-ratelimit-limit')).not.toBeNull();
    }
    // An agency key on the analysts' and the auditors' APIs: 403, counted as well.
    for (const [base, path] of [
      [env.coordination, '/v1/stats'],
      [env.audit, '/v1/audit/checkpoint'],
    ]) {
      const forbidden = await expectEventually(
        async () => {
          const response = await api(base, 'GET', path, { key: sender.key });
          return response.status === 403 ? response : false;
        },
        { timeoutMs: 15_000, description: `the agency key known to ${base}` },
      );
      expect(forbidden.headers.get('x-ratelimit-limit')).not.toBeNull();
    }
  });

  it('auditor keys go only to the auditing bodies (here, without AUDITOR_AGENCIES, the regional centre): 400 naming role', async () => {
    const refused = await api(env.gateway, 'POST', `/v1/admin/agencies/${outsider.id}/keys`, {
      key: env.adminKey,
      body: { role: 'auditor' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([{ path: 'role', message: expect.stringContaining('auditing bodies') }]);
    const centre = await createAgency('KZ', 'regional-centre');
    expect((await issueKey(centre.id, 'auditor')).keyId).toEqual(expect.any(String));
  });

  it('no key, a malformed key and an unknown key get 401', async () => {
    expect((await api(env.gateway, 'GET', '/v1/inbox')).status).toBe(401);
    expect(
      (await api(env.gateway, 'GET', '/v1/inbox', { headers: { authorization: 'Basic Zm9vOmJhcg==' } })).status,
    ).toBe(401);
    expect((await api(env.gateway, 'GET', '/v1/inbox', { key: 'ahk_0000000000000000_' + 'A'.repeat(43) })).status).toBe(
      401,
    );
    const forged = sender.key.slice(0, -4) + 'AAAA';
    const response = await api(env.gateway, 'GET', '/v1/inbox', { key: forged });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('unauthorized');
  });

  it('an expired key gets 401', async () => {
    const shortLived = await issueKey(outsider.id, 'agency', new Date(Date.now() + 2000).toISOString());
    expect((await api(env.gateway, 'GET', '/v1/inbox', { key: shortLived.key })).status).toBe(200);
    const expired = await expectEventually(
      async () => {
        const response = await api(env.gateway, 'GET', '/v1/inbox', { key: shortLived.key });
        return response.status === 401 ? response : false;
      },
      { timeoutMs: 10000, description: 'key expiry' },
    );
    expect(expired.body.message).toMatch(/expired/);
  });

  it('a revoked key stops working at once at the gateway', async () => {
    const key = await issueKey(outsider.id, 'agency');
    expect((await api(env.gateway, 'GET', '/v1/inbox', { key: key.key })).status).toBe(200);
    const revoked = await api(env.gateway, 'DELETE', `/v1/admin/keys/${key.keyId}`, { key: env.adminKey });
    expect(revoked.status).toBe(204);
    const response = await api(env.gateway, 'GET', '/v1/inbox', { key: key.key });
    expect(response.status).toBe(401);
    expect(response.body.message).toMatch(/revoked/);
    expect((await api(env.gateway, 'DELETE', `/v1/admin/keys/unknown-key`, { key: env.adminKey })).status).toBe(404);
  });
});

describe('deactivating an agency', () => {
  it('stops its keys and routes nothing new to it', async () => {
    const [sender, target] = await Promise.all([createAgency('KZ'), createAgency('TJ')]);
    expect((await api(env.gateway, 'GET', '/v1/inbox', { key: target.key })).status).toBe(200);
    const deactivated = await api(env.gateway, 'PATCH', `/v1/admin/agencies/${target.id}`, {
      key: env.adminKey,
      body: { active: false },
    });
    expect(deactivated.status).toBe(200);
    expect(deactivated.body.active).toBe(false);
    const refused = await api(env.gateway, 'GET', '/v1/inbox', { key: target.key });
    expect(refused.status).toBe(401);
    const addressed = await submitAlert(sender.key, alertBody([target.id]));
    expect(addressed.status).toBe(400);
    expect(addressed.body.details[0].path).toBe('distribution.recipients[0]');
  });
});

describe('OpenAPI document', () => {
  it('is served at /docs-json and generated from the contract classes', async () => {
    const response = await api(env.gateway, 'GET', '/docs-json');
    expect(response.status).toBe(200);
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/v1/alerts', '/v1/inbox', '/v1/admin/agencies']),
    );
    expect(
      JSON.stringify(
        response.body.components.schemas.SubmitAlertRequest ?? response.body.components.schemas.AlertContent,
      ),
    ).toContain('handlingCode');
  });
});
