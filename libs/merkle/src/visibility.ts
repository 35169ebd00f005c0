import { KeyObject } from 'node:crypto';
import { isFactOwnedBy } from '@hub/contracts/fact-owners';
import { canonicalJson } from './canonical-json';
import { Checkpoint, verifyCheckpointSignature } from './checkpoint';
import { hashFromHex, leafHashOfUtf8 } from './hashing';
import { verifyInclusion } from './proof-verification';

/**
 * "What could agency X see at time T", derived from audit facts alone (docs/decisions/015-visibility.md). The audit-log
 * service answers with it, and the verifier recomputes it from the facts it was given (and, with the whole log, from
 * every fact), so both sides share this one definition.
 */
export interface VisibilityItems {
  /** routing.decided named the agency among the delivered candidates of this version */
  entitled: { alertId: string; version: number; reason: string | null; deliveryId: string | null; seq: number }[];
  /** alert.delivered: the version reached the agency's inbox */
  delivered: {
    alertId: string;
    version: number;
    kind: string | null;
    deliveryId: string | null;
    at: string;
    seq: number;
  }[];
  /** inbox.read / inbox.streamed pages and alert.read by the agency */
  read: { alertId: string; version: number | null; deliveryId: string | null; how: string; at: string; seq: number }[];
  /** routing.decided withheld the version from the agency, or an access by the agency was denied */
  denied: {
    alertId: string | null;
    version: number | null;
    reason: string | null;
    how: 'withheld' | 'access-denied';
    at: string;
    seq: number;
  }[];
}

export interface VisibilityFact {
  seq: number;
  /** the stored leaf text, exactly as served */
  entry: string;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const int = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) ? value : null);
const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null) : [];

/** Every item the facts prove for `agency` up to and including `at` (the facts' own `at`), in log order. */
export function deriveVisibility(facts: readonly VisibilityFact[], agency: string, at: string): VisibilityItems {
  const until = Date.parse(at);
  const items: VisibilityItems = { entitled: [], delivered: [], read: [], denied: [] };
  for (const fact of [...facts].sort((a, b) => a.seq - b.seq)) {
    let entry: Record<string, any>;
    try {
      entry = JSON.parse(fact.entry);
    } catch {
      continue;
    }
    if (typeof entry !== 'object' || entry === null) continue;
    // A fact its writer may not state (a routing decision from the gateway's topic) proves nothing; the log refuses
    // such facts since FACT_OWNERS, entries appended before that are left out here. Entries without a producer
    // predate per-service topics.
    if (typeof entry.producer === 'string' && !isFactOwnedBy(text(entry.type) ?? '', entry.producer)) continue;
    const when = text(entry.at);
    if (when === null || Number.isNaN(Date.parse(when)) || Date.parse(when) > until) continue;
    const seq = fact.seq;
    const alertId = text(entry.alertId);
    const version = int(entry.version);
    const details = (typeof entry.details === 'object' && entry.details !== null ? entry.details : {}) as Record<
      string,
      unknown
    >;
    const actorAgency = text(entry.actor?.agencyId);
    switch (entry.type) {
      case 'routing.decided': {
        if (alertId === null || version === null) break;
        // One fact per version (decision 005) …
        for (const delivered of list(details.delivered)) {
          if (delivered.recipient === agency)
            items.entitled.push({
              alertId,
              version,
              reason: text(delivered.reason),
              deliveryId: text(delivered.deliveryId),
              seq,
            });
        }
        for (const group of list(details.withheld)) {
          if (Array.isArray(group.agencies) && group.agencies.includes(agency)) {
            items.denied.push({ alertId, version, reason: text(group.reason), how: 'withheld', at: when, seq });
          }
        }
        // … or, in logs written before it, one fact per candidate.
        if (entry.recipient === agency && entry.decision === 'delivered') {
          items.entitled.push({
            alertId,
            version,
            reason: text(entry.reason),
            deliveryId: text(details.deliveryId),
            seq,
          });
        }
        if (entry.recipient === agency && entry.decision === 'withheld') {
          items.denied.push({ alertId, version, reason: text(entry.reason), how: 'withheld', at: when, seq });
        }
        break;
      }
      case 'alert.delivered':
        if (entry.recipient === agency && alertId !== null && version !== null) {
          items.delivered.push({
            alertId,
            version,
            kind: text(details.kind),
            deliveryId: text(details.deliveryId),
            at: when,
            seq,
          });
        }
        break;
      case 'inbox.read':
      case 'inbox.streamed':
        if (actorAgency !== agency) break;
        for (const item of list(details.items)) {
          const shown = text(item.alertId);
          if (shown !== null && item.kind !== 'match') {
            items.read.push({
              alertId: shown,
              version: int(item.version),
              deliveryId: text(item.deliveryId),
              how: entry.type,
              at: when,
              seq,
            });
          }
        }
        break;
      case 'alert.read':
        if (actorAgency === agency && alertId !== null && details.as === 'recipient') {
          items.read.push({ alertId, version, deliveryId: null, how: 'alert.read', at: when, seq });
        }
        break;
      case 'access.denied':
        if (actorAgency === agency)
          items.denied.push({ alertId, version, reason: text(entry.reason), how: 'access-denied', at: when, seq });
        break;
      default:
        break;
    }
  }
  return items;
}

/** The seqs of the facts that prove at least one item. */
export function provingSeqs(items: VisibilityItems): number[] {
  return [
    ...new Set([...items.entitled, ...items.delivered, ...items.read, ...items.denied].map((item) => item.seq)),
  ].sort((a, b) => a - b);
}

export interface ProvenFact extends VisibilityFact {
  leafHash: string;
  proof: string[];
}

/** Each fact hashes to its leaf and its inclusion proof leads to the checkpoint's root: the problems, or none. */
export function checkProvenFacts(
  facts: readonly ProvenFact[],
  checkpoint: { treeSize: number; rootHash: string },
): string[] {
  const problems: string[] = [];
  const root = hashFromHex(checkpoint.rootHash);
  for (const fact of facts) {
    const leaf = leafHashOfUtf8(fact.entry);
    let proof: Buffer[];
    try {
      proof = fact.proof.map(hashFromHex);
    } catch {
      problems.push(`seq ${fact.seq}: the inclusion proof is not a list of hashes`);
      continue;
    }
    if (leaf.toString('hex') !== fact.leafHash?.toLowerCase())
      problems.push(`seq ${fact.seq}: the entry does not hash to its leaf hash`);
    else if (!verifyInclusion(leaf, fact.seq, checkpoint.treeSize, proof, root)) {
      problems.push(`seq ${fact.seq}: the inclusion proof does not lead to the checkpoint's root`);
    }
  }
  return problems;
}

export interface VisibilityAnswerPage extends VisibilityItems {
  agency: string;
  at: string;
  checkpoint: Checkpoint;
  facts: ProvenFact[];
  nextCursor: string | null;
}

const ITEM_KINDS = ['entitled', 'delivered', 'read', 'denied'] as const;

function mergedItems(pages: readonly VisibilityItems[]): VisibilityItems {
  const merged: VisibilityItems = { entitled: [], delivered: [], read: [], denied: [] };
  for (const page of pages) for (const kind of ITEM_KINDS) (merged[kind] as unknown[]).push(...(page[kind] ?? []));
  return merged;
}

/**
 * Checks a visibility answer (all its pages) offline: one checkpoint, signed by the pinned key; every fact hashes to
 * its leaf and is included under that checkpoint; the items are exactly what the facts say (deriveVisibility); and,
 * given every entry of the log up to the checkpoint (the verified export), that no fact about the agency was left out.
 */
export function checkVisibilityAnswer(
  pages: readonly VisibilityAnswerPage[],
  options: { publicKey: KeyObject; agency: string; at: string; logEntries?: readonly VisibilityFact[] },
): string[] {
  if (pages.length === 0) return ['no answer'];
  const problems: string[] = [];
  const checkpoint = pages[0].checkpoint;
  if (!verifyCheckpointSignature(checkpoint, options.publicKey))
    problems.push('the checkpoint of the answer is not signed by the pinned key');
  for (const page of pages) {
    if (page.agency !== options.agency || page.at !== options.at)
      problems.push(`a page answers for ${page.agency} at ${page.at}`);
    if (page.checkpoint.treeSize !== checkpoint.treeSize || page.checkpoint.rootHash !== checkpoint.rootHash)
      problems.push('the pages are proven against different trees');
  }
  const facts = pages.flatMap((page) => page.facts ?? []);
  problems.push(...checkProvenFacts(facts, checkpoint));
  const served = mergedItems(pages);
  const derived = deriveVisibility(facts, options.agency, options.at);
  if (canonicalJson(served) !== canonicalJson(derived))
    problems.push('the items do not follow from the facts served (deriveVisibility gives another answer)');
  if (options.logEntries) {
    const fromLog = deriveVisibility(
      options.logEntries.filter((e) => e.seq < checkpoint.treeSize),
      options.agency,
      options.at,
    );
    if (canonicalJson(fromLog) !== canonicalJson(derived)) {
      const servedSeqs = new Set(facts.map((f) => f.seq));
      const missing = provingSeqs(fromLog).filter((seq) => !servedSeqs.has(seq));
      problems.push(
        `the answer is not complete: the log also proves items in seq ${missing.slice(0, 20).join(', ') || '(changed items)'}`,
      );
    }
  }
  return problems;
}
