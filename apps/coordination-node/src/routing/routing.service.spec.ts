import { DataSource } from 'typeorm';
import { AgencyRecord } from '@hub/contracts/reference';
import { AlertSubmittedMessage } from '@hub/contracts/messages';
import { ReferenceView } from '@hub/contracts/policy';
import { OutboxService } from '@hub/kafka/outbox.service';
import { ReferenceReplica } from '../reference/reference.replica';
import { RoutingService } from './routing.service';

const agency = (id: string): AgencyRecord => ({ id, name: id, country: 'KZ', kind: 'national-agency', active: true, updatedAt: '2026-01-01T00:00:00.000Z' });

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
    // Every message was routed before: the transaction ends after the dedup insert, so nothing else is needed.
    const dataSource = { transaction: async (work: (manager: unknown) => unknown) => work({ query: async () => [] }) } as unknown as DataSource;
    const outbox = { enqueue: async () => [], publish: async () => undefined } as unknown as OutboxService;
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
