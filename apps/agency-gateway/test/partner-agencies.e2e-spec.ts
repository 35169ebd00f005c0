import {
  alertBody,
  awaitDeliveries,
  createAgency,
  createSharingGroup,
  expectEventually,
  inbox,
  routingDecisions,
  submitAccepted,
  TestAgency,
} from '@hub/testing';

/** Agencies of states outside the membership (kind partner-agency): only what names them reaches them. */
describe('partner agencies', () => {
  let sender: TestAgency;
  let member: TestAgency;
  let partner: TestAgency;

  beforeAll(async () => {
    [sender, member, partner] = await Promise.all([
      createAgency('TJ'),
      createAgency('KG'),
      createAgency('AF', 'partner-agency'),
    ]);
  });

  it('a regional alert does not reach a partner agency, and the routing fact says why', async () => {
    const { alertId } = await submitAccepted(
      sender.key,
      alertBody([], { tlp: 'GREEN', distribution: { scope: 'regional', recipients: [], sharingGroups: [] } }),
    );
    await awaitDeliveries(member.key, alertId, (entries) => entries.length === 1);
    const decisions = await expectEventually(
      async () => {
        const decided = await routingDecisions(alertId);
        return decided.has(partner.id) && decided.has(member.id) ? decided : false;
      },
      { description: `routing decisions for ${alertId}` },
    );
    expect(decisions.get(member.id)).toEqual({ decision: 'delivered', reason: 'REGIONAL' });
    expect(decisions.get(partner.id)).toEqual({ decision: 'withheld', reason: 'PARTNER_NOT_REGIONAL' });
    expect((await inbox(partner.key)).some((entry) => entry.alertId === alertId)).toBe(false);
  });

  it('an alert naming the partner agency reaches it, as a recipient and through a sharing group', async () => {
    const addressed = await submitAccepted(sender.key, alertBody([partner.id]));
    const group = await createSharingGroup([partner.id, member.id]);
    const grouped = await submitAccepted(
      sender.key,
      alertBody([], { distribution: { scope: 'restricted', recipients: [], sharingGroups: [group] } }),
    );
    await awaitDeliveries(partner.key, addressed.alertId, (entries) => entries.length === 1);
    await awaitDeliveries(partner.key, grouped.alertId, (entries) => entries.length === 1);
    expect((await routingDecisions(addressed.alertId)).get(partner.id)).toEqual({
      decision: 'delivered',
      reason: 'ADDRESSED',
    });
  });
});
