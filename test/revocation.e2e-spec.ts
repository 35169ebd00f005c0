import { api, createAgency, expectEventually, issueKey, testEnvironment } from '@hub/testing';

const env = testEnvironment();

/**
 * Keys are issued and revoked at the gateway; the coordination node and the audit log learn them from the
 * compacted credentials topic. A revocation must reach every service within seconds.
 */
describe('key revocation reaches every service', () => {
  it.each([
    ['coordination-node', 'analyst' as const, () => env.coordination, '/v1/stats'],
    ['audit-log', 'auditor' as const, () => env.audit, '/v1/audit/checkpoint'],
  ])('%s: a %s key works once replicated and stops within seconds of its revocation', async (_service, role, base, path) => {
    const agency = await createAgency('KZ', 'national-agency');
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
  });

  it('an agency key gets 403 from the analyst and auditor APIs', async () => {
    const agency = await createAgency('UZ');
    await expectEventually(async () => (await api(env.coordination, 'GET', '/v1/stats', { key: agency.key })).status === 403, {
      timeoutMs: 15000,
      description: 'agency key replicated to the coordination node',
    });
    await expectEventually(async () => (await api(env.audit, 'GET', '/v1/audit/checkpoint', { key: agency.key })).status === 403, {
      timeoutMs: 15000,
      description: 'agency key replicated to the audit log',
    });
  });
});
