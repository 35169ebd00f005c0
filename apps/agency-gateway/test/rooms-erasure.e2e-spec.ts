import { COMMITMENT_DOMAINS, matchesSaltedCommitment, verifyLogOverHttp } from '@hub/merkle';
import {
  alertBody,
  api,
  ApiResponse,
  awaitDeliveries,
  createAgency,
  expectEventually,
  issueKey,
  queryDatabase,
  restartedWith,
  routingDecisions,
  submitAccepted,
  TestAgency,
  testEnvironment,
} from '@hub/testing';
import {
  auditGet,
  AuditEntryView,
  checkpoint,
  CONSUMED_WITHIN_MS,
  newAuditor,
} from '../../audit-log/test/audit-test-support';

const env = testEnvironment();

function call(key: string, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  return api(env.gateway, method, path, { key, ...(body === undefined ? {} : { body }) });
}

async function createRoom(owner: TestAgency, members: string[]): Promise<string> {
  const created = await call(owner.key, 'POST', '/v1/rooms', {
    name: 'Operation Pamir',
    purpose: 'Heroin consignment expected at the Kulma pass',
    members,
    closesAt: new Date(Date.now() + 24 * 3600 * 1000).toISOString(),
  });
  expect(created.status).toBe(201);
  return created.body.roomId;
}

const toRoom = (roomId: string, headline: string) =>
  alertBody([], {
    headline,
    distribution: { scope: 'restricted', recipients: [], sharingGroups: [], rooms: [roomId] },
  });

const alertIdsOf = (response: ApiResponse): string[] => response.body.items.map((a: { alertId: string }) => a.alertId);

async function setActive(agencyId: string, active: boolean): Promise<void> {
  const changed = await call(env.adminKey, 'PATCH', `/v1/admin/agencies/${agencyId}`, { active });
  expect(changed.status).toBe(200);
}

describe('operation rooms: the alerts addressed to a room, and erasure on request', () => {
  let owner: TestAgency;
  let member: TestAgency;
  let withheld: TestAgency;
  let outsider: TestAgency;

  beforeAll(async () => {
    [owner, member, withheld, outsider] = await Promise.all([
      createAgency('TJ'),
      createAgency('KG'),
      createAgency('UZ'),
      createAgency('KZ'),
    ]);
  });

  it('lists an alert addressed to the room to its sender and member recipients, not to a withheld member; 404 to others', async () => {
    const roomId = await createRoom(owner, [member.id, withheld.id]);
    await setActive(withheld.id, false);
    // The node learns the deactivation from its reference replica: submit until it decides INACTIVE for the member.
    const { alertId } = await expectEventually(
      async () => {
        const submitted = await submitAccepted(owner.key, toRoom(roomId, 'Courier crossing at Kulma'));
        const decided = await expectEventually(
          async () => {
            const decisions = await routingDecisions(submitted.alertId);
            return decisions.has(withheld.id) && decisions.has(member.id) ? decisions : false;
          },
          { description: `routing decisions for ${submitted.alertId}` },
        );
        return decided.get(withheld.id)?.reason === 'INACTIVE' ? submitted : false;
      },
      { timeoutMs: CONSUMED_WITHIN_MS, description: 'an alert the node withholds from the inactive member' },
    );
    await setActive(withheld.id, true);
    const withheldKey = (await issueKey(withheld.id, 'agency')).key;
    const elsewhere = await submitAccepted(owner.key, alertBody([member.id], { headline: 'Not for the room' }));
    await awaitDeliveries(member.key, alertId, (entries) => entries.length === 1);
    await awaitDeliveries(member.key, elsewhere.alertId, (entries) => entries.length === 1);

    const received = await call(member.key, 'GET', `/v1/rooms/${roomId}/alerts`);
    expect(received.status).toBe(200);
    expect(received.body.items).toContainEqual(
      expect.objectContaining({
        alertId,
        version: 1,
        sender: owner.id,
        state: 'active',
        headline: 'Courier crossing at Kulma',
        erased: false,
      }),
    );
    expect(alertIdsOf(received)).not.toContain(elsewhere.alertId);
    const sent = await call(owner.key, 'GET', `/v1/rooms/${roomId}/alerts?after=0&limit=500`);
    expect(sent.status).toBe(200);
    expect(alertIdsOf(sent)).toContain(alertId);
    const page = await call(owner.key, 'GET', `/v1/rooms/${roomId}/alerts?after=${sent.body.nextCursor}`);
    expect(page.body.items).toEqual([]);

    const notDelivered = await call(withheldKey, 'GET', `/v1/rooms/${roomId}/alerts`);
    expect(notDelivered.status).toBe(200);
    expect(alertIdsOf(notDelivered)).not.toContain(alertId);
    expect((await call(outsider.key, 'GET', `/v1/rooms/${roomId}/alerts`)).status).toBe(404);
    const badCursor = await call(member.key, 'GET', `/v1/rooms/${roomId}/alerts?after=x`);
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.details.map((d: { path: string }) => d.path)).toContain('after');

    // An erased alert stays listed, as erased, without its content.
    const erased = await call(env.adminKey, 'POST', `/v1/admin/alerts/${alertId}/erase`, { reason: 'Court order 7' });
    expect(erased.status).toBe(202);
    const afterErasure = await call(member.key, 'GET', `/v1/rooms/${roomId}/alerts`);
    expect(afterErasure.body.items.find((a: { alertId: string }) => a.alertId === alertId)).toMatchObject({
      alertId,
      erased: true,
      headline: null,
    });
  });

  it('an admin erases a room on request: texts go, reads of its content answer 410, the trail says why, the log verifies', async () => {
    const auditor = await newAuditor();
    const publicKeyPem = (await auditGet(auditor.key, '/v1/audit/public-key')).body.publicKeyPem;
    const roomId = await createRoom(owner, [member.id]);
    const posted = await call(member.key, 'POST', `/v1/rooms/${roomId}/messages`, {
      text: 'Informant Rustam at km 42',
    });
    expect(posted.status).toBe(201);
    const saved = await checkpoint(auditor.key);
    const erasePath = `/v1/admin/rooms/${roomId}/erase`;

    for (const body of [{}, { reason: '' }, { reason: 'x'.repeat(2001) }]) {
      const refused = await call(env.adminKey, 'POST', erasePath, body);
      expect(refused.status).toBe(400);
      expect(refused.body.details.map((d: { path: string }) => d.path)).toContain('reason');
    }
    expect((await call(owner.key, 'POST', erasePath, { reason: 'mine' })).status).toBe(403);
    expect((await call(auditor.key, 'POST', erasePath, { reason: 'mine' })).status).toBe(403);
    expect(
      (await call(env.adminKey, 'POST', '/v1/admin/rooms/00000000-0000-4000-8000-000000000000/erase', { reason: 'x' }))
        .status,
    ).toBe(404);

    const reason = 'Prosecutor request 2026/88: the informant must not be named';
    const erased = await call(env.adminKey, 'POST', erasePath, { reason });
    expect(erased.status).toBe(202);
    expect(erased.body).toEqual({ roomId, erasedAt: expect.any(String) });
    const again = await call(env.adminKey, 'POST', erasePath, { reason: 'twice' });
    expect(again.body.erasedAt).toBe(erased.body.erasedAt);

    const [message] = await queryDatabase(`SELECT text, salt FROM gateway.room_messages WHERE message_id = $1`, [
      posted.body.messageId,
    ]);
    expect(message).toEqual({ text: null, salt: null });
    const [room] = await queryDatabase(`SELECT name, purpose, erasure FROM gateway.rooms WHERE room_id = $1`, [roomId]);
    expect(room).toMatchObject({ name: null, purpose: null, erasure: { cause: 'request', reason } });

    for (const path of ['messages', 'alerts']) {
      const gone = await call(member.key, 'GET', `/v1/rooms/${roomId}/${path}`);
      expect(gone.status).toBe(410);
      expect(gone.body).toMatchObject({ error: 'gone', details: [{ path: 'roomId', message: 'content erased' }] });
    }
    const metadata = await call(member.key, 'GET', `/v1/rooms/${roomId}`);
    expect(metadata.body).toMatchObject({ roomId, state: 'erased', name: null, purpose: null });
    expect((await call(member.key, 'POST', `/v1/rooms/${roomId}/messages`, { text: 'still there?' })).status).toBe(409);
    expect((await call(outsider.key, 'GET', `/v1/rooms/${roomId}/messages`)).status).toBe(404);

    const trail = await expectEventually(
      async () => {
        const response = await auditGet<{ items: AuditEntryView[] }>(auditor.key, `/v1/audit/rooms/${roomId}/trail`);
        return response.body.items.some((entry) => entry.type === 'room.erased') ? response.body.items : false;
      },
      { timeoutMs: CONSUMED_WITHIN_MS, description: `room.erased in the trail of room ${roomId}` },
    );
    const fact = trail.find((entry) => entry.type === 'room.erased') as any;
    expect(trail.filter((entry) => entry.type === 'room.erased')).toHaveLength(1);
    expect(fact.actor).toMatchObject({ role: 'admin' });
    expect(fact.details).toMatchObject({ roomId, cause: 'request' });
    // The log commits to the reason; the gateway keeps reason and salt for an auditor.
    expect(JSON.stringify(trail)).not.toContain('informant must not');
    expect(JSON.stringify(trail)).not.toContain('Rustam');
    const disclosurePath = `/v1/audit/rooms/${roomId}/erasure/commitment`;
    expect((await call(owner.key, 'GET', disclosurePath)).status).toBe(403);
    const disclosed = await call(auditor.key, 'GET', disclosurePath);
    expect(disclosed.status).toBe(200);
    expect(disclosed.body).toMatchObject({
      roomId,
      commitment: fact.details.reasonCommitment.hash,
      disclosed: { reason },
    });
    expect(
      matchesSaltedCommitment(
        COMMITMENT_DOMAINS.erasureReason,
        fact.details.reasonCommitment.hash,
        disclosed.body.salt,
        { reason },
      ),
    ).toBe(true);
    const notErased = await createRoom(owner, [member.id]);
    expect((await call(auditor.key, 'GET', `/v1/audit/rooms/${notErased}/erasure/commitment`)).status).toBe(404);

    const verified = await verifyLogOverHttp({
      baseUrl: env.audit,
      apiKey: auditor.key,
      publicKeyPem,
      savedCheckpoint: saved,
    });
    expect(verified.ok).toBe(true);
  });

  describe('at the end of retention', () => {
    const sweepingEverySecond = restartedWith('agency-gateway', { RETENTION_SWEEP_SECONDS: '1' });
    beforeAll(sweepingEverySecond.apply, 120_000);
    afterAll(sweepingEverySecond.restore, 120_000);

    it('the sweep erases through the same code: texts go, one room.erased fact with cause retention', async () => {
      const auditor = await newAuditor();
      const roomId = await createRoom(owner, [member.id]);
      const posted = await call(member.key, 'POST', `/v1/rooms/${roomId}/messages`, { text: 'Seen at km 17' });
      expect(posted.status).toBe(201);
      await queryDatabase(
        `UPDATE gateway.rooms SET closes_at = now() - interval '2 seconds', retain_until = now() - interval '1 second'
         WHERE room_id = $1`,
        [roomId],
      );
      const [room] = await expectEventually(
        async () => {
          const rows = await queryDatabase(`SELECT name, erasure FROM gateway.rooms WHERE room_id = $1`, [roomId]);
          return rows[0].erasure ? rows : false;
        },
        { description: `room ${roomId} erased by the sweep` },
      );
      expect(room).toEqual({ name: null, erasure: { cause: 'retention' } });
      const [message] = await queryDatabase(`SELECT text FROM gateway.room_messages WHERE message_id = $1`, [
        posted.body.messageId,
      ]);
      expect(message.text).toBeNull();
      expect((await call(member.key, 'GET', `/v1/rooms/${roomId}/messages`)).status).toBe(410);
      const trail = await expectEventually(
        async () => {
          const response = await auditGet<{ items: AuditEntryView[] }>(auditor.key, `/v1/audit/rooms/${roomId}/trail`);
          const erased = response.body.items.filter((entry) => entry.type === 'room.erased');
          return erased.length > 0 ? erased : false;
        },
        { timeoutMs: CONSUMED_WITHIN_MS, description: `room.erased in the trail of room ${roomId}` },
      );
      expect(trail).toHaveLength(1);
      expect(trail[0].details).toEqual({ roomId, cause: 'retention' });
    });
  });
});
