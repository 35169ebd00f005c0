import { Counter } from 'prom-client';
import { metricsRegistry } from '@hub/observability/registry';
import { RoutedVersion } from './routing.repository';

/** What the node decides, counted once committed (in memory; the audit log holds the facts themselves). */
export const coordinationMetrics = {
  routingDecisions: new Counter({
    name: 'hub_routing_decisions_total',
    help: 'Routing decisions, one per candidate recipient of a routed version, by outcome and reason',
    labelNames: ['outcome', 'reason'],
    registers: [metricsRegistry],
  }),
  correlationsFound: new Counter({
    name: 'hub_correlations_found_total',
    help: 'Cross-agency correlations recorded (same identifier reported by agencies of different states)',
    registers: [metricsRegistry],
  }),
};

/** Counts the decisions of versions just routed: each delivered recipient, each withheld agency under its reason. */
export function countRoutingDecisions(versions: readonly RoutedVersion[]): void {
  for (const version of versions) {
    for (const delivered of version.delivered)
      coordinationMetrics.routingDecisions.inc({ outcome: 'delivered', reason: delivered.reason });
    for (const withheld of version.withheld)
      coordinationMetrics.routingDecisions.inc(
        { outcome: 'withheld', reason: withheld.reason },
        withheld.agencies.length,
      );
  }
}
