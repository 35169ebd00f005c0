import { randomUUID } from 'node:crypto';
import { HubService, Topic } from '@hub/contracts/topics';
import { api, expectEventually, queryDatabase, ServiceHandle, startExtraService, testKafka } from '@hub/testing';
import {
  analystKey,
  awaitFeedEntries,
  createAgency,
  env,
  feedHead,
  REGIONAL_CENTRE_ID,
  TestAgency,
} from './monitoring-fixtures';

// Rooms on the analysts' dashboard (GET /v1/rooms on the node): metadata only, activity counted once per fact, the
// name gone once the gateway erased the room. Real gateway, node, Kafka and PostgreSQL.
jest.setTimeout(240000);

const NAME = `Operation Northern Lights ${randomUUID().slice(0, 8)}`;
const PURPOSE = `Controlled delivery via Osh to Almaty ${randomUUID()}`;
const TEXT = `Courier crossed at Dostuk ${randomUUID()}`;
const inADay = () => new Date(Date.now() + 24 * 3600 * 1000).toISOString();

describe('rooms on the analysts dashboard (GET /v1/rooms)', () => {
  let kz: TestAgency;
  let tj: TestAgency;
  let analyst: string;

  beforeAll(async () => {
    [kz, tj, analyst] = await Promise.all([createAgency('KZ'), createAgency('TJ'), analystKey()]);
  });

  const createRoom = async (members: string[]): Promise<string> => {
    const created = await api(env.gateway, 'POST', '/v1/rooms', {
      key: kz.key,
      body: { name: NAME, purpose: PURPOSE, members, closesAt: inADay() },
    });
    expect(created.status).toBe(201);
    return created.body.roomId;
  };

  const listRooms = async () => {
    const response = await api(env.coordination, 'GET', '/v1/rooms', { key: analyst });
    expect(response.status).toBe(200);
    return response;
  };

  /** The room as the node lists it once `until` holds for it. */
  const awaitRoom = (roomId: string, until: (room: any) => boolean, description: string) =>
    expectEventually(
      async () => {
        const room = (await listRooms()).body.items.find((r: any) => r.roomId === roomId);
        return room && until(room) ? room : false;
      },
      { timeoutMs: 60000, description },
    );

  it('lists a room created at the gateway with its name and members, never its purpose or messages', async () => {
    const roomId = await createRoom([tj.id]);
    const room = await awaitRoom(roomId, () => true, 'the room replicated to the node');
    expect(room).toEqual({
      roomId,
      name: NAME,
      members: [kz.id, tj.id].sort(),
      state: 'open',
      closesAt: expect.any(String),
      messageCount: 0,
      lastActivityAt: null,
      centreIsMember: false,
    });

    const posted = await api(env.gateway, 'POST', `/v1/rooms/${roomId}/messages`, {
      key: tj.key,
      body: { text: TEXT },
    });
    expect(posted.status).toBe(201);
    const active = await awaitRoom(roomId, (r) => r.messageCount > 0, 'the message counted');
    expect(active.messageCount).toBe(1);
    expect(Date.parse(active.lastActivityAt)).toBeGreaterThan(Date.now() - 120000);

    // Neither the purpose nor the message text is anywhere in the answer, or in the node's tables.
    const raw = JSON.stringify((await listRooms()).body);
    expect(raw).not.toContain(PURPOSE);
    expect(raw).not.toContain(TEXT);
    const [stored] = await queryDatabase<{ found: number }>(
      `SELECT count(*)::int AS found FROM coordination.rooms WHERE record::text LIKE $1 OR record::text LIKE $2`,
      [`%${PURPOSE}%`, `%${TEXT}%`],
    );
    expect(stored.found).toBe(0);
  });

  it('counts a message once however often its fact arrives (idempotent by eventId), and each new one', async () => {
    const roomId = await createRoom([tj.id]);
    await awaitRoom(roomId, () => true, 'the room replicated to the node');
    const posted = await api(env.gateway, 'POST', `/v1/rooms/${roomId}/messages`, {
      key: kz.key,
      body: { text: TEXT },
    });
    expect(posted.status).toBe(201);
    const first = await awaitRoom(roomId, (r) => r.messageCount === 1, 'the message counted');

    // The same fact again (a redelivery after a crash), then a sentinel on the same partition: once the feed shows
    // the sentinel, the replayed fact was consumed before it.
    const head = await feedHead(analyst);
    const alertId = randomUUID();
    const replayed = {
      eventId: `room-message:${posted.body.messageId}`,
      type: 'room.message-posted',
      at: new Date().toISOString(),
      actor: { agencyId: kz.id, role: 'agency', service: 'agency-gateway' },
      details: { roomId, messageId: posted.body.messageId },
    };
    // A fact of the same shape with its own eventId is counted: what is refused above is the repeat, not the shape.
    const another = {
      ...replayed,
      eventId: `room-message:${randomUUID()}`,
      details: { roomId, messageId: randomUUID() },
    };
    const sentinel = {
      eventId: `rooms-sentinel:${randomUUID()}`,
      type: 'alert.delivered',
      at: new Date().toISOString(),
      actor: { service: 'agency-gateway' },
      alertId,
      version: 1,
      recipient: tj.id,
      details: { sender: kz.id, kind: 'alert', deliveryId: randomUUID() },
    };
    const producer = testKafka('rooms-e2e', HubService.AgencyGateway).producer();
    await producer.connect();
    try {
      await producer.send({
        topic: Topic.AuditEventsFromGateway,
        acks: -1,
        messages: [replayed, another, sentinel].map((value) => ({ key: roomId, value: JSON.stringify(value) })),
      });
    } finally {
      await producer.disconnect();
    }
    await awaitFeedEntries(analyst, head, alertId, (entries) => entries.length > 0, 'the sentinel');
    const after = (await listRooms()).body.items.find((r: any) => r.roomId === roomId);
    expect(after.messageCount).toBe(2);
    expect(Date.parse(after.lastActivityAt)).toBeGreaterThanOrEqual(Date.parse(first.lastActivityAt));
  });

  it('says when the regional centre is a member', async () => {
    const roomId = await createRoom([tj.id, REGIONAL_CENTRE_ID]);
    const room = await awaitRoom(roomId, () => true, 'the room replicated to the node');
    expect(room.centreIsMember).toBe(true);
    expect(room.members).toContain(REGIONAL_CENTRE_ID);
  });

  it('drops the name once the gateway erased the room at the end of its retention', async () => {
    const roomId = await createRoom([tj.id]);
    await awaitRoom(roomId, (r) => r.name === NAME, 'the room replicated to the node');
    // Its retention ended an hour ago; a gateway replica that sweeps every second erases it.
    const past = new Date(Date.now() - 3600_000);
    await queryDatabase(`UPDATE gateway.rooms SET closes_at = $2, retain_until = $2 WHERE room_id = $1`, [
      roomId,
      past,
    ]);
    const sweeper: ServiceHandle = await startExtraService(HubService.AgencyGateway, 'rooms-sweep', {
      GATEWAY_PORT: String(Number(new URL(env.gateway).port) + 50),
      RETENTION_SWEEP_SECONDS: '1',
    });
    try {
      const erased = await awaitRoom(roomId, (r) => r.name === null, 'the name erased on the node');
      expect(erased).toMatchObject({ state: 'closed', members: [kz.id, tj.id].sort() });
      const [row] = await queryDatabase<{ record: Record<string, unknown> }>(
        `SELECT record FROM coordination.rooms WHERE id = $1`,
        [roomId],
      );
      expect(row.record.name ?? null).toBeNull();
      expect(JSON.stringify(row.record)).not.toContain(NAME);
    } finally {
      await sweeper.stop();
    }
  });

  it("refuses a key that is not an analyst's (403) and no key at all (401)", async () => {
    expect((await api(env.coordination, 'GET', '/v1/rooms', { key: kz.key })).status).toBe(403);
    expect((await api(env.coordination, 'GET', '/v1/rooms')).status).toBe(401);
  });
});
