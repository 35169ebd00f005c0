import { COMMITMENT_DOMAINS, matchesSaltedCommitment } from '@hub/merkle';
import {
  alertBody,
  api,
  awaitDeliveries,
  ApiResponse,
  createAgency,
  expectEventually,
  inbox,
  queryDatabase,
  readServerSentEvents,
  routingDecisions,
  submitAccepted,
  submitAlert,
  TestAgency,
  testEnvironment,
} from '@hub/testing';
import { auditGet, AuditEntryView, CONSUMED_WITHIN_MS, newAuditor } from '../../audit-log/test/audit-test-support';

const env = testEnvironment();

const inADay = () => new Date(Date.now() + 24 * 3600 * 1000).toISOString();

function rooms(key: string, method: string, path: string, body?: unknown): Promise<ApiResponse> {
  return api(env.gateway, method, `/v1/rooms${path}`, { key, ...(body === undefined ? {} : { body }) });
}

async function createRoom(owner: TestAgency, members: string[]): Promise<string> {
  const created = await rooms(owner.key, 'POST', '', {
    name: 'Operation Northern Lights',
    purpose: 'Controlled delivery of heroin via Osh to Almaty',
    members,
    closesAt: inADay(),
  });
  expect(created.status).toBe(201);
  return created.body.roomId;
}

/** The agency's inbox items of kind room-message for one message, once present. */
async function messageItems(agency: TestAgency, messageId: string) {
  return expectEventually(
    async () => {
      const items = (await inbox(agency.key)).filter((item: any) => item.roomMessage?.messageId === messageId);
      return items.length > 0 ? items : false;
    },
    { description: `${agency.id}'s inbox item of message ${messageId}` },
  );
}

describe('operation rooms', () => {
  let owner: TestAgency;
  let member: TestAgency;
  let partner: TestAgency;
  let outsider: TestAgency;

  beforeAll(async () => {
    [owner, member, partner, outsider] = await Promise.all([
      createAgency('TJ'),
      createAgency('KG'),
      createAgency('AF', 'partner-agency'),
      createAgency('KZ'),
    ]);
  });

  it('a room is visible to its members only; a message reaches every member inbox and stream once', async () => {
    const roomId = await createRoom(owner, [member.id, partner.id]);

    const seen = await rooms(member.key, 'GET', `/${roomId}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ roomId, owner: owner.id, state: 'open', name: 'Operation Northern Lights' });
    expect(seen.body.members.map((m: { agencyId: string }) => m.agencyId).sort()).toEqual(
      [owner.id, member.id, partner.id].sort(),
    );
    expect((await rooms(partner.key, 'GET', '')).body.items.map((r: { roomId: string }) => r.roomId)).toContain(roomId);

    for (const [method, path, body] of [
      ['GET', `/${roomId}`],
      ['GET', `/${roomId}/messages`],
      ['POST', `/${roomId}/messages`, { text: 'let me in' }],
      ['POST', `/${roomId}/close`],
    ] as [string, string, unknown?][]) {
      expect((await rooms(outsider.key, method, path, body)).status).toBe(404);
    }
    expect((await rooms(outsider.key, 'GET', '')).body.items.map((r: { roomId: string }) => r.roomId)).not.toContain(
      roomId,
    );

    const live = readServerSentEvents(`${env.gateway}/v1/inbox/stream`, member.key, {
      eventName: 'delivery',
      enough: (events) => events.some((event) => event.data.kind === 'room-message'),
    });
    const posted = await rooms(owner.key, 'POST', `/${roomId}/messages`, { text: 'Truck crossed at 14:05' });
    expect(posted.status).toBe(201);
    const { messageId } = posted.body;

    const streamed = (await live).filter((event) => event.data.kind === 'room-message');
    expect(streamed).toHaveLength(1);
    expect(streamed[0].data.roomMessage).toMatchObject({
      roomId,
      messageId,
      author: owner.id,
      text: 'Truck crossed at 14:05',
    });

    for (const agency of [owner, member, partner]) {
      const items = await messageItems(agency, messageId);
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ kind: 'room-message', alertId: null, sender: owner.id });
    }
    expect((await inbox(outsider.key)).some((item: any) => item.roomMessage?.roomId === roomId)).toBe(false);

    // From the start, the stream shows it exactly once too.
    const replay = await readServerSentEvents(`${env.gateway}/v1/inbox/stream`, member.key, {
      eventName: 'delivery',
      enough: (events) => events.some((event) => event.data.roomMessage?.messageId === messageId),
    });
    expect(replay.filter((event) => event.data.roomMessage?.messageId === messageId)).toHaveLength(1);

    const page = await rooms(partner.key, 'GET', `/${roomId}/messages?after=0`);
    expect(page.status).toBe(200);
    expect(page.body.items).toEqual([
      expect.objectContaining({ messageId, text: 'Truck crossed at 14:05', author: owner.id }),
    ]);
    expect((await rooms(partner.key, 'GET', `/${roomId}/messages?after=${page.body.nextCursor}`)).body.items).toEqual(
      [],
    );
  });

  it('refuses bad input with a 400 naming the field', async () => {
    const unknown = await rooms(owner.key, 'POST', '', {
      name: 'x',
      purpose: 'y',
      members: [member.id, 'XX-NOBODY'],
      closesAt: inADay(),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toContainEqual({ path: 'members[1]', message: 'is not a known agency' });
    const past = await rooms(owner.key, 'POST', '', {
      name: 'x',
      purpose: 'y',
      members: [],
      closesAt: '2020-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body.details.map((d: { path: string }) => d.path)).toContain('closesAt');

    const roomId = await createRoom(owner, [member.id]);
    const long = await rooms(member.key, 'POST', `/${roomId}/messages`, { text: 'x'.repeat(4001) });
    expect(long.status).toBe(400);
    expect(long.body.details.map((d: { path: string }) => d.path)).toContain('text');
    expect((await rooms(member.key, 'POST', `/${roomId}/messages`, { text: 'x'.repeat(4000) })).status).toBe(201);
  });

  it('the owner manages members; a member added later sees the room from when it joined; a removed one sees nothing', async () => {
    const roomId = await createRoom(owner, [member.id]);
    await rooms(owner.key, 'POST', `/${roomId}/messages`, { text: 'before you came' });
    expect((await rooms(member.key, 'POST', `/${roomId}/members`, { agencyId: partner.id })).status).toBe(403);
    const added = await rooms(owner.key, 'POST', `/${roomId}/members`, { agencyId: partner.id });
    expect(added.status).toBe(201);
    const after = await rooms(member.key, 'POST', `/${roomId}/messages`, { text: 'welcome' });

    const page = await rooms(partner.key, 'GET', `/${roomId}/messages`);
    expect(page.body.items.map((m: { text: string }) => m.text)).toEqual(['welcome']);
    await messageItems(partner, after.body.messageId);

    expect((await rooms(owner.key, 'DELETE', `/${roomId}/members/${member.id}`)).status).toBe(204);
    expect((await rooms(member.key, 'GET', `/${roomId}`)).status).toBe(404);
    expect((await rooms(member.key, 'POST', `/${roomId}/messages`, { text: 'still here?' })).status).toBe(404);
  });

  it('closing makes the room read-only (409), still readable by its members; its trail is in the audit log', async () => {
    const auditor = await newAuditor();
    const roomId = await createRoom(owner, [member.id]);
    const { body } = await rooms(member.key, 'POST', `/${roomId}/messages`, {
      text: 'Handover at the Osh post moved to 18:00',
    });
    expect((await rooms(member.key, 'POST', `/${roomId}/close`)).status).toBe(403);
    const closed = await rooms(owner.key, 'POST', `/${roomId}/close`);
    expect(closed.status).toBe(200);
    expect(closed.body.state).toBe('closed');

    const refused = await rooms(member.key, 'POST', `/${roomId}/messages`, { text: 'too late' });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('conflict');
    expect((await rooms(owner.key, 'POST', `/${roomId}/members`, { agencyId: partner.id })).status).toBe(409);
    const readable = await rooms(member.key, 'GET', `/${roomId}`);
    expect(readable.body.state).toBe('closed');
    expect((await rooms(member.key, 'GET', `/${roomId}/messages`)).body.items).toHaveLength(1);

    const trail = await expectEventually(
      async () => {
        const response = await auditGet<{ items: AuditEntryView[] }>(auditor.key, `/v1/audit/rooms/${roomId}/trail`);
        const types = response.body.items.map((entry) => entry.type);
        return types.includes('room.closed') && types.includes('room.read') ? response.body.items : false;
      },
      { timeoutMs: CONSUMED_WITHIN_MS, description: `the trail of room ${roomId}` },
    );
    expect(trail.map((entry) => entry.type)).toEqual(
      expect.arrayContaining(['room.created', 'room.message-posted', 'room.read', 'room.closed']),
    );
    const posted = trail.find((entry) => entry.type === 'room.message-posted')!;
    // The log holds a salted commitment, never the text; the gateway keeps text and salt until retention ends.
    expect(JSON.stringify(posted)).not.toContain('Osh post');
    const [row] = await queryDatabase<{ text: string; salt: Buffer }>(
      `SELECT text, salt FROM gateway.room_messages WHERE message_id = $1`,
      [body.messageId],
    );
    const details = (posted as any).details;
    expect(
      matchesSaltedCommitment(
        COMMITMENT_DOMAINS.roomMessage,
        details.messageCommitment.hash,
        row.salt.toString('hex'),
        {
          text: row.text,
        },
      ),
    ).toBe(true);
    expect(details.recipients.map((r: { recipient: string }) => r.recipient).sort()).toEqual(
      [owner.id, member.id].sort(),
    );
  });

  it('an alert addressed to a room reaches its members and no one else; a closed or unknown room is a 400', async () => {
    const roomId = await createRoom(owner, [member.id, partner.id]);
    const toRoom = (rooms: string[], overrides: Record<string, unknown> = {}) =>
      alertBody([], { distribution: { scope: 'restricted', recipients: [], sharingGroups: [], rooms }, ...overrides });
    const { alertId } = await submitAccepted(owner.key, toRoom([roomId]));
    for (const recipient of [member, partner]) {
      const [delivered] = await awaitDeliveries(recipient.key, alertId, (entries) => entries.length === 1);
      expect(delivered.alert?.distribution.rooms).toEqual([roomId]);
    }
    const decisions = await expectEventually(
      async () => {
        const decided = await routingDecisions(alertId);
        return [owner, member, partner, outsider].every((a) => decided.has(a.id)) ? decided : false;
      },
      { description: `routing decisions for ${alertId}` },
    );
    expect(decisions.get(member.id)).toEqual({ decision: 'delivered', reason: 'ROOM_MEMBER' });
    expect(decisions.get(partner.id)).toEqual({ decision: 'delivered', reason: 'ROOM_MEMBER' });
    expect(decisions.get(outsider.id)).toEqual({ decision: 'withheld', reason: 'NOT_ADDRESSED' });
    expect(decisions.get(owner.id)).toEqual({ decision: 'withheld', reason: 'SENDER' });
    expect((await inbox(outsider.key)).some((item) => item.alertId === alertId)).toBe(false);

    // A room the sender is not in does not exist for it; RED is not for rooms; a closed room takes no new alert.
    const foreign = await submitAlert(outsider.key, toRoom([roomId]));
    expect(foreign.status).toBe(400);
    expect(foreign.body.details).toContainEqual({ path: 'distribution.rooms[0]', message: 'is not a known room' });
    const red = await submitAlert(owner.key, toRoom([roomId], { tlp: 'RED' }));
    expect(red.status).toBe(400);
    expect(red.body.details.map((d: { path: string }) => d.path)).toContain('distribution.rooms');
    const unknown = await submitAlert(owner.key, toRoom([roomId, '00000000-0000-4000-8000-000000000000']));
    expect(unknown.status).toBe(400);
    expect(unknown.body.details).toContainEqual({ path: 'distribution.rooms[1]', message: 'is not a known room' });
    expect((await rooms(owner.key, 'POST', `/${roomId}/close`)).status).toBe(200);
    const closed = await submitAlert(owner.key, toRoom([roomId]));
    expect(closed.status).toBe(400);
    expect(closed.body.details).toContainEqual({ path: 'distribution.rooms[0]', message: 'is closed' });
  });

  it('a regional alert does not reach a partner agency while a room message does', async () => {
    const roomId = await createRoom(member, [partner.id]);
    const { alertId } = await submitAccepted(
      owner.key,
      alertBody([], { tlp: 'GREEN', distribution: { scope: 'regional', recipients: [], sharingGroups: [] } }),
    );
    const posted = await rooms(member.key, 'POST', `/${roomId}/messages`, { text: 'Partner, please confirm' });
    await messageItems(partner, posted.body.messageId);
    const decisions = await expectEventually(
      async () => {
        const decided = await routingDecisions(alertId);
        return decided.has(partner.id) ? decided : false;
      },
      { description: `the routing decision about ${partner.id}` },
    );
    expect(decisions.get(partner.id)).toEqual({ decision: 'withheld', reason: 'PARTNER_NOT_REGIONAL' });
    expect((await inbox(partner.key)).some((item) => item.alertId === alertId)).toBe(false);
  });
});
