import { Topic } from '@hub/contracts/topics';
import { api, createAgency, expectEventually, issueKey, testEnvironment, testKafka } from '@hub/testing';

const env = testEnvironment();

/**
 * Keys are issued and revoked at the gateway; the coordination node and the audit log learn them from the
 * compacted credentials topic. A revocation must reach every service within seconds.
 */
describe('key revocation reaches every service', () => {
  it.each([
    ['coordination-node', 'analyst' as const, () => env.coordination, '/v1/stats'],
    ['audit-log', 'auditor' as const, () => env.audit, '/v1/audit/checkpoint'],
  ])(
    '%s: a %s key works once replicated and stops within seconds of its revocation',
    async (_service, role, base, path) => {
      // Analyst and auditor keys belong to the regional centre.
      const agency = await createAgency('KZ', 'regional-centre');
      const key = await issueKey(agency.id, role);
      await expectEventually(async () => (await api(base(), 'GET', path, { key: key.key })).status === 200, {
        timeoutMs: 15000,
        description: `${role} key accepted`,
      });
      expect((await api(env.gateway, 'DELETE', `/v1/admin/keys/${key.keyId}`, { key: env.adminKey })).status).toBe(204);
      const refused = await expectEventually(
        async () => {
          const response = await api(base(), 'GET', path, { key: key.key });
          return response.status === 401 ? response : false;
        },
        { timeoutMs: 10000, description: `${role} key refused after revocation` },
      );
      expect(refused.body.error).toBe('unauthorized');
    },
  );

  it('an agency key gets 403 from the analyst and auditor APIs', async () => {
    const agency = await createAgency('UZ');
    await expectEventually(
      async () => (await api(env.coordination, 'GET', '/v1/stats', { key: agency.key })).status === 403,
      {
        timeoutMs: 15000,
        description: 'agency key replicated to the coordination node',
      },
    );
    await expectEventually(
      async () => (await api(env.audit, 'GET', '/v1/audit/checkpoint', { key: agency.key })).status === 403,
      {
        timeoutMs: 15000,
        description: 'agency key replicated to the audit log',
      },
    );
  });

  it('deactivating an agency revokes its keys everywhere: its analyst and auditor keys stop on the node and the audit log', async () => {
    const centre = await createAgency('KZ', 'regional-centre');
    const analyst = await issueKey(centre.id, 'analyst');
    const auditor = await issueKey(centre.id, 'auditor');
    const uses = [
      { key: analyst.key, base: env.coordination, path: '/v1/stats' },
      { key: auditor.key, base: env.audit, path: '/v1/audit/checkpoint' },
    ];
    for (const use of uses) {
      await expectEventually(async () => (await api(use.base, 'GET', use.path, { key: use.key })).status === 200, {
        timeoutMs: 15000,
        description: 'key accepted',
      });
    }
    const deactivated = await api(env.gateway, 'PATCH', `/v1/admin/agencies/${centre.id}`, {
      key: env.adminKey,
      body: { active: false },
    });
    expect(deactivated.status).toBe(200);
    for (const use of uses) {
      await expectEventually(async () => (await api(use.base, 'GET', use.path, { key: use.key })).status === 401, {
        timeoutMs: 10000,
        description: `${use.path} refused after the agency's deactivation`,
      });
    }
    expect((await api(env.gateway, 'GET', '/v1/inbox', { key: centre.key })).status).toBe(401);
    // No new key for it either: the replicas' credential records carry no agency state, so it would work there.
    const refused = await api(env.gateway, 'POST', `/v1/admin/agencies/${centre.id}/keys`, {
      key: env.adminKey,
      body: { role: 'auditor' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.details).toEqual([{ path: 'agencyId', message: expect.stringContaining('deactivated') }]);
  });

  it.each([
    ['agency-gateway', '/v1/inbox/stream', 'agency' as const],
    ['coordination-node', '/v1/feed/stream', 'analyst' as const],
  ])('%s: an open %s ends within seconds of its key being revoked', async (service, path, role) => {
    const agency = await createAgency('KZ', role === 'analyst' ? 'regional-centre' : 'national-agency');
    const key = role === 'agency' ? { key: agency.key, keyId: agency.keyId } : await issueKey(agency.id, role);
    const base = service === 'agency-gateway' ? env.gateway : env.coordination;
    await expectEventually(
      async () => (await api(base, 'GET', path.replace('/stream', '') + '?limit=1', { key: key.key })).status === 200,
      {
        timeoutMs: 15000,
        description: 'key accepted',
      },
    );
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 30000);
    try {
      const response = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${key.key}` },
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      expect((await api(env.gateway, 'DELETE', `/v1/admin/keys/${key.keyId}`, { key: env.adminKey })).status).toBe(204);
      // The server ends the stream (the body completes) with an unauthorized error event, well before our 30 s abort.
      const text = await response.text();
      expect(text).toContain('event: error');
      expect(text).toContain('"error":"unauthorized"');
    } finally {
      clearTimeout(timer);
    }
  });

  it('a replica that cannot apply a change to a key refuses that key (fail closed), while the owner still knows it', async () => {
    const centre = await createAgency('KZ', 'regional-centre');
    const analyst = await issueKey(centre.id, 'analyst');
    await expectEventually(
      async () => (await api(env.coordination, 'GET', '/v1/stats', { key: analyst.key })).status === 200,
      {
        timeoutMs: 15000,
        description: 'analyst key accepted by the node',
      },
    );
    // A credential record for this key that no replica can apply (it could have been its revocation).
    const producer = testKafka('revocation-e2e').producer();
    await producer.connect();
    try {
      await producer.send({
        topic: Topic.Credentials,
        messages: [{ key: analyst.keyId, value: JSON.stringify({ keyId: analyst.keyId, revokedAt: 'garbled' }) }],
      });
    } finally {
      await producer.disconnect();
    }
    await expectEventually(
      async () => (await api(env.coordination, 'GET', '/v1/stats', { key: analyst.key })).status === 401,
      {
        timeoutMs: 15000,
        description: 'the node refusing the key whose change it could not apply',
      },
    );
    // The gateway owns the keys (its own table): there the key is unchanged.
    expect((await api(env.gateway, 'GET', '/v1/inbox', { key: analyst.key })).status).toBe(403);
  });
});
