import {
  alertBody,
  api,
  awaitDeliveries,
  createAgency,
  createSharingGroup,
  expectEventually,
  inbox,
  routingDecisions,
  senderView,
  submitAccepted,
  submitAlert,
  testEnvironment,
  TestAgency,
} from '@hub/testing';

const env = testEnvironment();

/** Routing is complete once the node has recorded a decision for every agency it knows, including ours. */
async function decisionsFor(alertId: string, agencies: TestAgency[], version = 1) {
  return expectEventually(
    async () => {
      const decisions = await routingDecisions(alertId, version);
      return agencies.every((a) => decisions.has(a.id)) ? decisions : false;
    },
    { description: `routing decisions for ${alertId} v${version}` },
  );
}

describe('alert exchange end to end (gateway → Kafka → coordination node → Kafka → gateway)', () => {
  let sender: TestAgency;
  let a: TestAgency;
  let b: TestAgency;
  let c: TestAgency;

  beforeAll(async () => {
    [sender, a, b, c] = await Promise.all([
      createAgency('TJ'),
      createAgency('KG'),
      createAgency('KZ'),
      createAgency('UZ'),
    ]);
  });

  it('a RED alert addressed to one agency reaches only that agency', async () => {
    const { alertId } = await submitAccepted(sender.key, alertBody([a.id], { tlp: 'RED', handlingCode: 'H2' }));
    const [delivered] = await awaitDeliveries(a.key, alertId, (entries) => entries.length === 1);
    expect(delivered).toMatchObject({ alertId, version: 1, kind: 'alert', sender: sender.id });
    expect(delivered.alert?.tlp).toBe('RED');

    const decisions = await decisionsFor(alertId, [sender, a, b, c]);
    expect(decisions.get(a.id)).toEqual({ decision: 'delivered', reason: 'ADDRESSED' });
    for (const other of [b, c]) expect(decisions.get(other.id)?.decision).toBe('withheld');
    expect(decisions.get(sender.id)).toEqual({ decision: 'withheld', reason: 'SENDER' });
    for (const other of [b, c, sender]) expect((await inbox(other.key)).some((e) => e.alertId === alertId)).toBe(false);
    expect((await api(env.gateway, 'GET', `/v1/alerts/${alertId}`, { key: b.key })).status).toBe(404);
  });

  it('a regional alert reaches every other active agency, never the sender', async () => {
    const { alertId } = await submitAccepted(
      sender.key,
      alertBody([], { tlp: 'GREEN', distribution: { scope: 'regional', recipients: [], sharingGroups: [] } }),
    );
    for (const recipient of [a, b, c]) await awaitDeliveries(recipient.key, alertId, (entries) => entries.length === 1);
    const decisions = await decisionsFor(alertId, [sender, a, b, c]);
    for (const recipient of [a, b, c])
      expect(decisions.get(recipient.id)).toEqual({ decision: 'delivered', reason: 'REGIONAL' });
    expect(decisions.get(sender.id)?.decision).toBe('withheld');
    expect((await inbox(sender.key)).some((e) => e.alertId === alertId)).toBe(false);
    // Other specs share the hub: their inactive agencies and partner agencies (outside the membership) are withheld.
    for (const [agency, decision] of decisions) {
      if (agency !== sender.id)
        expect(
          decision.decision === 'delivered' || ['INACTIVE', 'PARTNER_NOT_REGIONAL'].includes(decision.reason),
        ).toBe(true);
    }
  });

  it('a sharing-group alert reaches only the members of the group', async () => {
    const group = await createSharingGroup([a.id, b.id]);
    const { alertId } = await submitAccepted(
      sender.key,
      alertBody([], { distribution: { scope: 'restricted', recipients: [], sharingGroups: [group] } }),
    );
    for (const member of [a, b]) await awaitDeliveries(member.key, alertId, (entries) => entries.length === 1);
    const decisions = await decisionsFor(alertId, [sender, a, b, c]);
    expect(decisions.get(a.id)).toEqual({ decision: 'delivered', reason: 'GROUP_MEMBER' });
    expect(decisions.get(c.id)?.decision).toBe('withheld');
    expect((await inbox(c.key)).some((e) => e.alertId === alertId)).toBe(false);
  });

  it('an expired sharing group can no longer be addressed', async () => {
    const expiresAt = new Date(Date.now() + 2500).toISOString();
    const group = await createSharingGroup([a.id], expiresAt);
    const body = alertBody([], { distribution: { scope: 'restricted', recipients: [], sharingGroups: [group] } });
    const refused = await expectEventually(
      async () => {
        const response = await submitAlert(sender.key, body);
        return response.status === 400 ? response : false;
      },
      { timeoutMs: 15000, description: 'submission to an expired group refused' },
    );
    expect(refused.body.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'distribution.sharingGroups[0]' })]),
    );
  });

  it('updates and cancels reach every earlier recipient; a recipient dropped by an update gets a withdrawal, not the new content', async () => {
    const original = alertBody([a.id, b.id]);
    const { alertId } = await submitAccepted(sender.key, original);
    for (const recipient of [a, b]) await awaitDeliveries(recipient.key, alertId, (entries) => entries.length === 1);

    const updated = { ...alertBody([a.id, c.id]), headline: 'Updated: weight confirmed 12.9 kg', baseVersion: 1 };
    const update = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/versions`, { key: sender.key, body: updated });
    expect(update.status).toBe(202);
    expect(update.body).toEqual({ alertId, version: 2 });

    const aEntries = await awaitDeliveries(a.key, alertId, (entries) => entries.length === 2);
    expect(aEntries[1]).toMatchObject({ version: 2, kind: 'update' });
    expect(aEntries[1].alert?.headline).toBe('Updated: weight confirmed 12.9 kg');
    const bEntries = await awaitDeliveries(b.key, alertId, (entries) => entries.length === 2);
    expect(bEntries[1]).toMatchObject({ version: 2, kind: 'cancel', alert: null, withdrawn: true });
    // Withdrawn means gone: B's inbox no longer holds version 1's content, its reads answer without it, and it
    // cannot forward what it no longer has.
    expect(bEntries[0]).toMatchObject({ version: 1, kind: 'alert', alert: null });
    const bRead = await api(env.gateway, 'GET', `/v1/alerts/${alertId}`, { key: b.key });
    expect(bRead.status).toBe(200);
    expect(bRead.body).toMatchObject({ version: 2, kind: 'cancel', alert: null, withdrawn: true });
    const bForward = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/forward`, {
      key: b.key,
      body: { recipients: [c.id] },
      headers: { 'idempotency-key': `fwd-${alertId}` },
    });
    expect(bForward.status).toBe(403);
    expect(bForward.body.error).toBe('forward_refused');
    expect(bForward.body.message).toMatch(/withdrawn/);
    const cEntries = await awaitDeliveries(c.key, alertId, (entries) => entries.length === 1);
    expect(cEntries[0]).toMatchObject({ version: 2, kind: 'update' });

    const stale = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/versions`, {
      key: sender.key,
      body: { ...updated, baseVersion: 1 },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('stale_version');

    const cancel = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/cancel`, {
      key: sender.key,
      body: { reason: 'Cleared after inspection' },
    });
    expect(cancel.status).toBe(202);
    expect(cancel.body.version).toBe(3);
    for (const recipient of [a, c]) {
      const entries = await awaitDeliveries(recipient.key, alertId, (list) => list.some((e) => e.version === 3));
      const last = entries[entries.length - 1];
      expect(last).toMatchObject({ version: 3, kind: 'cancel', alert: null, cancelReason: 'Cleared after inspection' });
    }
    // The cancel reaches B too (recall reaches everyone), but not the sender's reason: B was withdrawn already.
    const bLast = (await awaitDeliveries(b.key, alertId, (list) => list.some((e) => e.version === 3))).pop();
    expect(bLast).toMatchObject({ version: 3, kind: 'cancel', alert: null, cancelReason: null });
    // A cancelled alert cannot be forwarded by anyone.
    const aForward = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/forward`, {
      key: a.key,
      body: { recipients: [c.id] },
      headers: { 'idempotency-key': `fwd-a-${alertId}` },
    });
    expect(aForward.status).toBe(403);
    expect(aForward.body.message).toMatch(/cancelled/);
    const view = await senderView(sender.key, alertId);
    expect(view.body.state).toBe('cancelled');
    const again = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/cancel`, {
      key: sender.key,
      body: { reason: 'twice' },
    });
    expect(again.status).toBe(409);
  });

  it('acknowledgements are visible to the sender, per recipient', async () => {
    const { alertId } = await submitAccepted(sender.key, alertBody([a.id, b.id]));
    await awaitDeliveries(a.key, alertId, (entries) => entries.length === 1);
    const ack = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/ack`, {
      key: a.key,
      body: { version: 1, status: 'actioned', note: 'Truck stopped at Dusti' },
    });
    expect(ack.status).toBe(202);
    const wrongVersion = await api(env.gateway, 'POST', `/v1/alerts/${alertId}/ack`, {
      key: a.key,
      body: { version: 5, status: 'received' },
    });
    expect(wrongVersion.status).toBe(400);
    expect(wrongVersion.body.details[0].path).toBe('version');

    const view = await expectEventually(async () => {
      const response = await senderView(sender.key, alertId);
      return response.body.recipients?.length === 2 ? response : false;
    });
    const byAgency = new Map<string, any>(view.body.recipients.map((r: any) => [r.agencyId, r]));
    expect(byAgency.get(a.id).ack).toMatchObject({ version: 1, status: 'actioned', note: 'Truck stopped at Dusti' });
    expect(byAgency.get(b.id).ack).toBeNull();
    expect(byAgency.get(b.id).deliveredVersion).toBe(1);

    const recipientView = await api(env.gateway, 'GET', `/v1/alerts/${alertId}`, { key: a.key });
    expect(recipientView.status).toBe(200);
    expect(recipientView.body.recipients).toBeUndefined();
    expect(recipientView.body.version).toBe(1);
  });

  it('pages the inbox in delivery order with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await submitAccepted(sender.key, alertBody([c.id]))).alertId);
    await expectEventually(async () => (await inbox(c.key)).filter((e) => ids.includes(e.alertId)).length === 3, {
      description: 'three deliveries',
    });
    const all = (await inbox(c.key)).filter((e) => ids.includes(e.alertId));
    // Delivery order is the order the inbox stored them (different alerts travel on different partitions).
    expect(new Set(all.map((e) => e.alertId))).toEqual(new Set(ids));
    const cursors = all.map((e) => Number(e.cursor));
    expect([...cursors].sort((x, y) => x - y)).toEqual(cursors);
    const firstPage = await api(env.gateway, 'GET', `/v1/inbox?after=0&limit=1`, { key: c.key });
    expect(firstPage.body.items).toHaveLength(1);
    const next = await api(env.gateway, 'GET', `/v1/inbox?after=${firstPage.body.nextCursor}&limit=1`, { key: c.key });
    expect(Number(next.body.items[0].cursor)).toBeGreaterThan(Number(firstPage.body.items[0].cursor));
    const badLimit = await api(env.gateway, 'GET', `/v1/inbox?limit=501`, { key: c.key });
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.details[0].path).toBe('limit');
  });
});

describe('forwarding by a recipient', () => {
  let sender: TestAgency;
  let recipient: TestAgency;
  let onward: TestAgency;

  beforeAll(async () => {
    [sender, recipient, onward] = await Promise.all([createAgency('TJ'), createAgency('KG'), createAgency('KZ')]);
  });

  const forward = (alertId: string, recipients: string[]) =>
    api(env.gateway, 'POST', `/v1/alerts/${alertId}/forward`, {
      key: recipient.key,
      body: { recipients },
      headers: { 'idempotency-key': `fwd-${alertId}` },
    });

  it('passes an AMBER/H1 alert on as a new alert of the forwarder that references the original', async () => {
    const { alertId } = await submitAccepted(sender.key, alertBody([recipient.id]));
    await awaitDeliveries(recipient.key, alertId, (entries) => entries.length === 1);
    const response = await forward(alertId, [onward.id]);
    expect(response.status).toBe(202);
    const forwardedId = response.body.alertId;
    expect(forwardedId).not.toBe(alertId);
    const [delivered] = await awaitDeliveries(onward.key, forwardedId, (entries) => entries.length === 1);
    expect(delivered.sender).toBe(recipient.id);
    expect(delivered.alert?.references).toEqual([alertId]);
    expect((await forward(alertId, [onward.id])).body.alertId).toBe(forwardedId);
  });

  it.each([
    ['RED', 'H1'],
    ['AMBER+STRICT', 'H1'],
    ['AMBER', 'H2'],
  ])('refuses %s / %s with 403 forward_refused', async (tlp, handlingCode) => {
    const { alertId } = await submitAccepted(sender.key, alertBody([recipient.id], { tlp, handlingCode }));
    await awaitDeliveries(recipient.key, alertId, (entries) => entries.length === 1);
    const response = await forward(alertId, [onward.id]);
    expect(response.status).toBe(403);
    expect(response.body.error).toBe('forward_refused');
  });

  it('is 404 for an agency that never received the alert', async () => {
    const { alertId } = await submitAccepted(sender.key, alertBody([onward.id]));
    expect((await forward(alertId, [sender.id])).status).toBe(404);
  });
});
