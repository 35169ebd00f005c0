/**
 * The services' own TypeScript functions the audit sections build their facts and entries with (fact builders,
 * SQL builders, libs/merkle), loaded from the source `dist` was built from: dist/apps/<app>/main.js is one webpack
 * bundle that exports nothing. tsx (tools/bootstrap.js) compiles them and resolves the @hub/* aliases, so a plain
 * require is enough; it is made on first use rather than by an import because they pull in NestJS, Swagger and
 * class-validator (about a second), which every other hub command (start, test, demo, chaos) would pay for, and
 * need reflect-metadata loaded first.
 * (A dynamic import() would go through Node's ESM loader, which tsx's CommonJS hook does not cover.)
 */
import { createRequire } from 'node:module';

const load = createRequire(__filename);

type Merkle = typeof import('@hub/merkle');
type RoutingFact = typeof import('../../../apps/coordination-node/src/routing/routing-fact');
type AuditPublisher = typeof import('@hub/kafka/audit.publisher');
type EntriesReader = typeof import('../../../apps/audit-log/src/auditor/audit-entries.reader');
type AuditEntryModule = typeof import('../../../apps/audit-log/src/log/audit-entry');
type AuditEvents = typeof import('@hub/contracts/audit-event');
type Policy = typeof import('@hub/contracts/policy');

/** The services' functions the facts, entries and export pages are made with. */
export interface HubSource {
  /** The audit event types (the contracts' enum: its module needs reflect-metadata, so it is loaded here too). */
  events: AuditEvents;
  /** The routing reasons. */
  policy: Policy;
  routing: RoutingFact;
  publisher: AuditPublisher;
  merkle: Merkle;
  reader: EntriesReader;
  entry: AuditEntryModule;
}

let loaded: HubSource | undefined;

export function hubSource(): HubSource {
  if (!loaded) {
    load('reflect-metadata'); // class-validator / class-transformer decorators in the contracts need it
    loaded = {
      events: load('@hub/contracts/audit-event') as AuditEvents,
      policy: load('@hub/contracts/policy') as Policy,
      routing: load('../../../apps/coordination-node/src/routing/routing-fact') as RoutingFact,
      publisher: load('@hub/kafka/audit.publisher') as AuditPublisher,
      merkle: load('@hub/merkle') as Merkle,
      reader: load('../../../apps/audit-log/src/auditor/audit-entries.reader') as EntriesReader,
      entry: load('../../../apps/audit-log/src/log/audit-entry') as AuditEntryModule,
    };
  }
  return loaded;
}
