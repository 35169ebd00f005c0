import { DataSource } from 'typeorm';
import { AgencyRecord } from '@hub/contracts/reference';
import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { ReferenceView, RoutingReason } from '@hub/contracts/policy';
import { Topic } from '@hub/contracts/topics';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ReferenceReplica } from '../reference/reference.replica';
import { decideBatch, RoutingService, unseen } from './routing.service';

const agency = (id: string): AgencyRecord => ({
  id,
  name: id,
  country: 'KZ',
  kind: 'national-agency',
  active: true,
  updatedAt: '2026-01-01T00:00:00.000Z',
});

/**
 * The wait for reference data, in isolation: the replica and the database are stand-ins here (the routing itself
 * is covered end to end against PostgreSQL and Kafka in apps/agency-gateway/test/exchange.e2e-spec.ts).
 */
describe('RoutingService waits for the reference replica', () => {
  const message = {
    messageId: '0b7a4c4e-7f1e-4d5e-9a55-0c0c8a1d2e3f',
    alertId: '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f',
    version: 1,
    kind: 'alert',
    sender: 'KZ-BS',
    alert: { distribution: { scope: 'restricted', recipients: ['TJ-DCA'], sharingGroups: [] } },
  } as unknown as AlertSubmittedMessage;

  function service(views: ReferenceView[]) {
    const loads: ReferenceView[] = [];
    const replica = {
      load: async () => {
        const view = views[Math.min(loads.length, views.length - 1)];
        loads.push(view);
        return view;
      },
    } as unknown as ReferenceReplica;
    // Every message was routed before: the routing state says so, and nothing is written.
    const dataSource = {
      query: async () => [{ what: 'processed', id: message.messageId, recipient: null }],
    } as unknown as DataSource;
    const outbox = { publish: async () => undefined } as unknown as OutboxService;
    return { routing: new RoutingService(dataSource, replica, outbox), loads };
  }

  it('polls (heartbeating) until the replica knows the sender and every addressee, then routes', async () => {
    const partial = { agencies: [agency('KZ-BS')], sharingGroups: [] };
    const complete = { agencies: [agency('KZ-BS'), agency('TJ-DCA')], sharingGroups: [] };
    const { routing, loads } = service([partial, partial, complete]);
    let heartbeats = 0;
    await routing.routeAll([message], async () => {
      heartbeats += 1;
    });
    expect(loads).toEqual([partial, partial, complete]);
    expect(heartbeats).toBe(2);
  });

  it('does not wait when the replica already knows everyone', async () => {
    const complete = { agencies: [agency('KZ-BS'), agency('TJ-DCA')], sharingGroups: [] };
    const { routing, loads } = service([complete]);
    let heartbeats = 0;
    await routing.routeAll([message], async () => {
      heartbeats += 1;
    });
    expect(loads).toHaveLength(1);
    expect(heartbeats).toBe(0);
  });
});

describe('decideBatch', () => {
  const ref: ReferenceView = { agencies: ['KZ-BS', 'TJ-DCA', 'KG-BS', 'UZ-NSC'].map(agency), sharingGroups: [] };
  const alertId = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
  const version = (n: number, kind: string, recipients: string[]) =>
    ({
      messageId: `0b7a4c4e-7f1e-4d5e-9a55-0c0c8a1d2e${n.toString(16).padStart(2, '0')}`,
      alertId,
      version: n,
      kind,
      sender: 'KZ-BS',
      alert: { tlp: 'AMBER', handlingCode: 'H1', distribution: { scope: 'restricted', recipients, sharingGroups: [] } },
    }) as unknown as AlertSubmittedMessage;
  const now = new Date('2026-06-01T00:00:00Z');
  const empty = { recipientsOf: new Map<string, Set<string>>(), erased: new Set<string>() };

  it('decides a later version of the batch on the recipients of the earlier ones', () => {
    const { versions } = decideBatch(
      [version(1, 'alert', ['TJ-DCA', 'KG-BS']), version(2, 'update', ['TJ-DCA', 'UZ-NSC'])],
      empty,
      ref,
      now,
    );
    expect(versions[1].delivered.map((d) => [d.recipient, d.reason])).toEqual([
      ['KG-BS', RoutingReason.RecalledByUpdate],
      ['TJ-DCA', RoutingReason.Addressed],
      ['UZ-NSC', RoutingReason.Addressed],
    ]);
    expect(versions[1].withheld).toEqual([{ reason: RoutingReason.Sender, agencies: ['KZ-BS'] }]);
  });

  it('decides on the stored recipients too, and leaves the state it was given unchanged', () => {
    const state = { recipientsOf: new Map([[alertId, new Set(['KG-BS'])]]), erased: new Set<string>() };
    const { versions } = decideBatch([version(2, 'cancel', [])], state, ref, now);
    expect(versions[0].delivered.map((d) => d.recipient)).toEqual(['KG-BS']);
    expect(state.recipientsOf.get(alertId)).toEqual(new Set(['KG-BS']));
  });

  it('names every candidate once, and per version its fact before its routed message', () => {
    const { versions, outgoing } = decideBatch(
      [version(1, 'alert', ['TJ-DCA']), version(2, 'update', ['UZ-NSC'])],
      empty,
      ref,
      now,
    );
    for (const { delivered, withheld } of versions) {
      const named = [...delivered.map((d) => d.recipient), ...withheld.flatMap((w) => w.agencies)].sort();
      expect(named).toEqual(['KG-BS', 'KZ-BS', 'TJ-DCA', 'UZ-NSC']);
    }
    expect(outgoing.map((m) => m.topic)).toEqual([
      Topic.AuditEventsFromCoordination,
      Topic.AlertsRouted,
      Topic.AuditEventsFromCoordination,
      Topic.AlertsRouted,
    ]);
  });

  it('sends an erased alert to nobody: every entitled candidate is withheld as ERASED', () => {
    const { versions, outgoing } = decideBatch(
      [version(1, 'alert', ['TJ-DCA'])],
      { ...empty, erased: new Set([alertId]) },
      ref,
      now,
    );
    expect(versions[0].delivered).toEqual([]);
    expect(versions[0].withheld).toContainEqual({ reason: RoutingReason.Erased, agencies: ['TJ-DCA'] });
    expect(outgoing.map((m) => m.topic)).toEqual([Topic.AuditEventsFromCoordination]);
  });

  it('counts a message once: redelivered, or twice in one batch', () => {
    const [first, second] = [version(1, 'alert', ['TJ-DCA']), version(2, 'update', ['TJ-DCA'])];
    expect(unseen([first, first, second], new Set([second.messageId]))).toEqual([first]);
  });
});
