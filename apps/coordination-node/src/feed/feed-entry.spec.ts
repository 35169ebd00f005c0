import fc from 'fast-check';
import { AuditEvent, AuditEventType, Role } from '@hub/contracts/audit-event';
import { buildFeedEntry, classifyAlertEvent, FeedAlertClassification, withStoredContent } from './feed-entry';
import { isWithheldFromCentre } from './centre-visibility';

const CENTRE = 'CARICC';
const ALERT_ID = '3f1f0c4e-9c1a-4e55-8d3c-2a7a1f6b9e01';

function content(overrides: Record<string, unknown> = {}) {
  return {
    status: 'actual',
    category: 'seizure',
    urgency: 'immediate',
    severity: 'severe',
    certainty: 'observed',
    headline: 'Heroin in a false floor at Nizhny Pyanj',
    description: 'Driver detained; trailer sealed.',
    tlp: 'AMBER',
    handlingCode: 'H1',
    evaluation: { source: 'B', information: 2 },
    distribution: { scope: 'restricted', recipients: ['KG-BS'], sharingGroups: [] },
    location: { country: 'TJ', place: 'Nizhny Pyanj' },
    subjects: [{ type: 'container', number: 'CSQU3054383' }],
    references: [],
    ...overrides,
  };
}

function event(type: AuditEventType, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    eventId: `${type}:1`,
    type,
    at: '2025-11-27T10:00:00.000Z',
    actor: { agencyId: 'TJ-DCA', keyId: 'k1', role: Role.Agency },
    alertId: ALERT_ID,
    version: 1,
    details: {},
    ...extra,
  };
}

function submitted(alertContent: Record<string, unknown>): {
  entry: ReturnType<typeof buildFeedEntry>;
  classification: FeedAlertClassification;
} {
  const e = event(AuditEventType.AlertSubmitted, {
    details: { messageId: 'm', idempotencyKey: 'secret-key-1', content: alertContent },
  });
  const classification = classifyAlertEvent(e, null, CENTRE)!;
  return { entry: buildFeedEntry(e, classification), classification };
}

describe('isWithheldFromCentre', () => {
  it.each([
    ['RED', [], true],
    ['RED', ['KG-BS'], true],
    ['RED', ['KG-BS', CENTRE], false],
    ['AMBER+STRICT', ['KG-BS'], true],
    ['AMBER+STRICT', [CENTRE], false],
    ['AMBER', ['KG-BS'], false],
    ['GREEN', [], false],
    ['CLEAR', [], false],
    ['PURPLE', [CENTRE], true],
    [undefined, [], true],
  ])('TLP %s to %j → withheld %s', (tlp, recipients, expected) => {
    expect(isWithheldFromCentre(tlp, recipients, CENTRE)).toBe(expected);
  });
});

describe('buildFeedEntry', () => {
  it('shows the content of an alert the centre may see', () => {
    const { entry } = submitted(content());
    expect(entry).toMatchObject({
      type: 'alert.submitted',
      alertId: ALERT_ID,
      sender: 'TJ-DCA',
      recipients: ['KG-BS'],
      category: 'seizure',
      tlp: 'AMBER',
      redacted: false,
    });
    expect(entry.alert?.headline).toBe('Heroin in a false floor at Nizhny Pyanj');
    expect(entry.alert?.subjects).toEqual([{ type: 'container', number: 'CSQU3054383' }]);
  });

  it('never copies details outside the content whitelist (the idempotency key is not for analysts)', () => {
    const { entry } = submitted({ ...content(), secretField: 'x' });
    expect(JSON.stringify(entry)).not.toContain('secret-key-1');
    expect(JSON.stringify(entry)).not.toContain('secretField');
  });

  it('reduces a RED alert not addressed to the centre to sender, recipients, category, TLP and time', () => {
    const { entry, classification } = submitted(
      content({ tlp: 'RED', distribution: { scope: 'restricted', recipients: ['KG-BS'], sharingGroups: [] } }),
    );
    expect(entry).toEqual({
      eventId: 'alert.submitted:1',
      type: 'alert.submitted',
      at: '2025-11-27T10:00:00.000Z',
      alertId: ALERT_ID,
      version: 1,
      actor: { agencyId: 'TJ-DCA', role: 'agency', service: null },
      sender: 'TJ-DCA',
      recipient: null,
      recipients: ['KG-BS'],
      category: 'seizure',
      tlp: 'RED',
      redacted: true,
    });
    expect(classification.headline).toBeNull();
  });

  it('shows a RED alert that names the centre', () => {
    const { entry } = submitted(
      content({ tlp: 'RED', distribution: { scope: 'restricted', recipients: ['KG-BS', CENTRE], sharingGroups: [] } }),
    );
    expect(entry.redacted).toBe(false);
    expect(entry.alert?.headline).toBeDefined();
  });

  it('treats an update that raises the TLP to RED as redacted from then on', () => {
    const before = submitted(content()).classification;
    const update = event(AuditEventType.AlertUpdated, { version: 2, details: { content: content({ tlp: 'RED' }) } });
    const after = classifyAlertEvent(update, before, CENTRE)!;
    expect(buildFeedEntry(update, after).alert).toBeUndefined();
    const cancel = event(AuditEventType.AlertCancelled, {
      version: 3,
      reason: 'Cleared: the driver named his supplier',
    });
    expect(buildFeedEntry(cancel, after).cancelReason).toBeUndefined();
    expect(buildFeedEntry(cancel, before).cancelReason).toBe('Cleared: the driver named his supplier');
  });

  it('keeps an ack note only for an alert the centre may see', () => {
    const ack = event(AuditEventType.AlertAcked, {
      actor: { agencyId: 'KG-BS', role: Role.Agency },
      reason: 'actioned',
      details: { status: 'actioned', note: 'Truck stopped at Kyzyl-Kiya' },
    });
    const visible = submitted(content()).classification;
    const red = submitted(content({ tlp: 'RED' })).classification;
    expect(buildFeedEntry(ack, visible)).toMatchObject({
      recipient: 'KG-BS',
      ack: { status: 'actioned', note: 'Truck stopped at Kyzyl-Kiya' },
      redacted: false,
    });
    expect(buildFeedEntry(ack, red).ack).toEqual({ status: 'actioned' });
    expect(buildFeedEntry(ack, null).ack).toEqual({ status: 'actioned' });
  });

  it('shows a committed note as withheld (its commitment, never text), and nothing of it for an alert the centre may not see', () => {
    const hash = 'ab'.repeat(32);
    const ack = event(AuditEventType.AlertAcked, {
      actor: { agencyId: 'KG-BS', role: Role.Agency },
      reason: 'received',
      details: { status: 'received', noteCommitment: { scheme: 'sha256-salted-v1', hash } },
    });
    expect(buildFeedEntry(ack, submitted(content()).classification).ack).toEqual({
      status: 'received',
      noteCommitment: hash,
    });
    expect(buildFeedEntry(ack, submitted(content({ tlp: 'RED' })).classification).ack).toEqual({ status: 'received' });
    // A malformed commitment is no note and no commitment.
    const odd = event(AuditEventType.AlertAcked, {
      reason: 'received',
      details: { status: 'received', noteCommitment: 'x' },
    });
    expect(buildFeedEntry(odd, submitted(content()).classification).ack).toEqual({ status: 'received', note: null });
  });

  it('describes routing decisions and deliveries by metadata', () => {
    const decided = event(AuditEventType.RoutingDecided, {
      actor: { service: 'coordination-node' },
      recipient: 'KG-BS',
      decision: 'delivered',
      reason: 'ADDRESSED',
      details: { sender: 'TJ-DCA', kind: 'alert', messageId: 'm', deliveryId: 'd' },
    });
    expect(buildFeedEntry(decided, null)).toMatchObject({
      sender: 'TJ-DCA',
      recipient: 'KG-BS',
      decision: 'delivered',
      reason: 'ADDRESSED',
      kind: 'alert',
      redacted: true,
    });
  });

  it('describes a routing outcome (one fact per version) by its recipients and a summary of the decisions', () => {
    const decided = event(AuditEventType.RoutingDecided, {
      actor: { service: 'coordination-node' },
      details: {
        sender: 'TJ-DCA',
        kind: 'alert',
        delivered: [
          { recipient: 'KG-BS', reason: 'ADDRESSED', deliveryId: 'd1' },
          { recipient: 'UZ-NIC', reason: 'ADDRESSED', deliveryId: 'd2' },
        ],
        withheld: [{ reason: 'NOT_ADDRESSED', agencies: ['KZ-CND', 'AZ-SBS', 'TM-SBS'] }],
      },
    });
    expect(buildFeedEntry(decided, null)).toMatchObject({
      sender: 'TJ-DCA',
      recipients: ['KG-BS', 'UZ-NIC'],
      decision: 'delivered',
      reason: 'ADDRESSED ×2 · withheld: NOT_ADDRESSED ×3',
      kind: 'alert',
      redacted: true,
    });
  });

  it('fails closed on an alert event whose content cannot be read', () => {
    const e = event(AuditEventType.AlertSubmitted, { details: { content: 'not an object' } });
    const classification = classifyAlertEvent(e, null, CENTRE)!;
    expect(classification.withheldFromCentre).toBe(true);
    expect(buildFeedEntry(e, classification).redacted).toBe(true);
  });

  describe('correlations', () => {
    const correlation = (withheldFromCentre: boolean | undefined) =>
      event(AuditEventType.CorrelationFound, {
        actor: { service: 'coordination-node' },
        details: {
          correlationId: 'c1',
          identifier: { kind: 'container', key: 'CSQU3054383' },
          alerts: [
            { alertId: ALERT_ID, agencyId: 'TJ-DCA' },
            { alertId: 'a1', agencyId: 'KZ-CND' },
          ],
          agencies: ['TJ-DCA', 'KZ-CND'],
          restricted: false,
          ...(withheldFromCentre === undefined ? {} : { withheldFromCentre }),
          notices: [
            {
              agencyId: 'TJ-DCA',
              alertId: ALERT_ID,
              otherAgencyId: 'KZ-CND',
              otherAlertIds: ['a1'],
              restricted: false,
              text: 'mentions CSQU3054383',
            },
          ],
        },
      });

    it('shows the identifier and the notices when the centre may see every alert', () => {
      const entry = buildFeedEntry(correlation(false), null);
      expect(entry.redacted).toBe(false);
      expect(entry.correlation?.identifier).toEqual({ kind: 'container', key: 'CSQU3054383' });
      expect(entry.correlation?.notices[0].text).toBe(
        `Your alert ${ALERT_ID} matches alert a1 of KZ-CND on container CSQU3054383.`,
      );
    });

    it.each([true, undefined])(
      'withholds the identifier, also from the notice texts, when withheldFromCentre is %s',
      (flag) => {
        const entry = buildFeedEntry(correlation(flag), null);
        expect(entry.redacted).toBe(true);
        expect(entry.correlation?.identifier).toBeNull();
        expect(JSON.stringify(entry)).not.toContain('CSQU3054383');
      },
    );

    it('withholds the identifier when the feed knows an involved alert is withheld, whatever the event says', () => {
      const red = submitted(content({ tlp: 'RED' })).classification;
      const entry = buildFeedEntry(correlation(false), null, new Map([[ALERT_ID, red]]));
      expect(JSON.stringify(entry)).not.toContain('CSQU3054383');
    });
  });
});

describe('buildFeedEntry (properties)', () => {
  // Text that is certainly not produced by metadata: a marker plus random characters.
  const secret = fc.string({ minLength: 4, maxLength: 30 }).map((s) => `§${s}§`);
  const restrictedTlp = fc.constantFrom('RED', 'AMBER+STRICT');
  const agency = fc.constantFrom('KG-BS', 'UZ-NIC', 'KZ-CND', 'TM-SBS');
  const eventType = fc.constantFrom(AuditEventType.AlertSubmitted, AuditEventType.AlertUpdated);

  it('no content field of an alert withheld from the centre ever reaches its feed entries', () => {
    fc.assert(
      fc.property(
        fc.record({
          headline: secret,
          description: secret,
          place: secret,
          fullName: secret,
          concealment: secret,
          handlingConditions: secret,
          cancelReason: secret,
          note: secret,
        }),
        restrictedTlp,
        fc.uniqueArray(agency, { minLength: 1, maxLength: 3 }),
        eventType,
        (secrets, tlp, recipients, type) => {
          const alertContent = content({
            tlp,
            headline: secrets.headline,
            description: secrets.description,
            handlingCode: 'H3',
            handlingConditions: secrets.handlingConditions,
            distribution: { scope: 'restricted', recipients, sharingGroups: [] },
            location: { country: 'TJ', place: secrets.place },
            subjects: [
              { type: 'person', fullName: secrets.fullName },
              { type: 'consignment', substance: 'heroin', quantityKg: 3, concealment: secrets.concealment },
            ],
          });
          const e = event(type, { details: { content: alertContent } });
          const classification = classifyAlertEvent(e, null, CENTRE)!;
          const entries = [
            buildFeedEntry(e, classification),
            buildFeedEntry(event(AuditEventType.AlertCancelled, { reason: secrets.cancelReason }), classification),
            buildFeedEntry(
              event(AuditEventType.AlertAcked, { details: { status: 'received', note: secrets.note } }),
              classification,
            ),
          ];
          const serialised = JSON.stringify([entries, classification]);
          for (const value of Object.values(secrets)) expect(serialised).not.toContain(value);
          expect(entries[0]).toMatchObject({ redacted: true, tlp, recipients, category: 'seizure', sender: 'TJ-DCA' });
          expect(entries[0]).not.toHaveProperty('alert');
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('facts with content commitments (details.classification, no content)', () => {
  const committed = (recipients: string[], tlp: string) =>
    event(AuditEventType.AlertSubmitted, {
      details: {
        messageId: 'm',
        idempotencyKey: 'k',
        commitment: { scheme: 'sha256-salted-v1', hash: 'ab'.repeat(32) },
        classification: { category: 'seizure', tlp, recipients },
      },
    });

  it('classifies from the metadata and shows the content the node stored, for an alert the centre may see', () => {
    const e = committed(['KG-BS'], 'AMBER');
    const classification = classifyAlertEvent(e, null, CENTRE)!;
    expect(classification).toMatchObject({
      tlp: 'AMBER',
      category: 'seizure',
      recipients: ['KG-BS'],
      withheldFromCentre: false,
      headline: null,
    });
    const entry = buildFeedEntry(e, classification);
    expect(entry.alert).toBeUndefined();
    const served = withStoredContent(entry, { content: { ...content(), secretField: 'x' }, cancelReason: null }, false);
    expect(served.alert?.headline).toBe(content().headline);
    expect(served.alert).not.toHaveProperty('secretField');
  });

  it('never adds stored content to a redacted entry, and nothing of an erased alert', () => {
    const red = committed(['KG-BS'], 'RED');
    const redEntry = buildFeedEntry(red, classifyAlertEvent(red, null, CENTRE)!);
    expect(
      withStoredContent(redEntry, { content: content({ tlp: 'RED' }), cancelReason: null }, false).alert,
    ).toBeUndefined();

    const cancel = buildFeedEntry(
      event(AuditEventType.AlertCancelled, { version: 2 }),
      classifyAlertEvent(committed(['KG-BS'], 'AMBER'), null, CENTRE),
    );
    expect(withStoredContent(cancel, { content: content(), cancelReason: 'Cleared' }, false).cancelReason).toBe(
      'Cleared',
    );
    const erased = withStoredContent(
      { ...cancel, cancelReason: 'old text', ack: { status: 'received', note: 'n' } },
      null,
      true,
    );
    expect(erased).toMatchObject({ erased: true, ack: { status: 'received' } });
    expect(erased).not.toHaveProperty('cancelReason');
    expect(erased.ack).not.toHaveProperty('note');
  });

  it('withdraws the content of an alert whose newest version no longer names the centre, and only of such an alert', () => {
    const red = committed(['KG-BS', CENTRE], 'RED');
    const visible = buildFeedEntry(red, classifyAlertEvent(red, null, CENTRE)!);
    const stored = { content: content({ tlp: 'RED' }), cancelReason: null };
    expect(withStoredContent(visible, stored, false, false).alert?.headline).toBe(content().headline);
    const withdrawn = withStoredContent(
      { ...visible, alert: { headline: 'stored with the entry' } },
      stored,
      false,
      true,
    );
    expect(withdrawn).toMatchObject({ withdrawn: true, redacted: false });
    expect(withdrawn).not.toHaveProperty('alert');
    // A routing decision has no content: it is left as it was.
    const routed = { ...visible, type: AuditEventType.RoutingDecided };
    expect(withStoredContent(routed, null, false, true)).toEqual(routed);
  });
});
