import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { actorOf, Principal } from '@hub/auth/principal';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AuditPublisher } from '@hub/kafka/audit.publisher';
import { HubError } from '@hub/platform/errors';
import { HitNoticeView } from '../alerts/alert-views';
import { IdentifierIndex } from '../alerts/identifier-index';
import { InboxEntry } from '../inbox/inbox-entries';
import { InboxService } from '../inbox/inbox.service';
import { parseHitQuery } from './hit-query';
import { HitRow, HitsRepository } from './hits.repository';

/** Keyed hashes a hits.queried fact lists; beyond, the fact holds their count and a digest of all of them. */
export const AUDITED_KEY_HASHES_MAX = 100;

export interface HitResult {
  index: number;
  hit: boolean;
  /** the agencies to contact: owners of active alerts of other agencies naming the identifier */
  contacts: string[];
}

/**
 * POST /v1/hits: which of a list of identifiers other agencies' active alerts name, and whom to contact — never
 * content, never an alert id. Each owner with a hit gets one inbox item of kind `hit` (which of its alerts, who asked);
 * the query is one hits.queried fact (docs/decisions/018-bulk-exchange.md).
 */
@Injectable()
export class CheckIdentifiers {
  constructor(
    private readonly identifiers: IdentifierIndex,
    private readonly hits: HitsRepository,
    private readonly inbox: InboxService,
    private readonly audit: AuditPublisher,
  ) {}

  async check(principal: Principal, body: unknown): Promise<{ results: HitResult[] }> {
    const parsed = parseHitQuery(body);
    if (!parsed.ok) throw HubError.validation(parsed.problems);
    const hashes = parsed.query.map((keys) => keys.map((key) => this.identifiers.hashOf(key)));
    const rows = await this.hits.activeAlertsNaming([...new Set(hashes.flat())], principal.agencyId);
    const byHash = new Map<string, HitRow[]>();
    for (const row of rows) byHash.set(row.key_hash, [...(byHash.get(row.key_hash) ?? []), row]);

    const results: HitResult[] = hashes.map((keys, index) => {
      const contacts = new Set(keys.flatMap((hash) => (byHash.get(hash) ?? []).map((row) => row.sender)));
      return { index, hit: contacts.size > 0, contacts: [...contacts].sort() };
    });
    const hitCount = results.filter((r) => r.hit).length;

    const queryId = randomUUID();
    // One list per query, in request order: what the fact's digest commits to.
    const asked = hashes.map((keys) => keys.join(','));
    const askedAt = await this.hits.recordQuery({
      queryId,
      askedBy: principal.agencyId,
      keyId: principal.keyId,
      keyHashes: asked,
      hitCount,
    });
    const owners = ownersOf(rows);
    await this.inbox.storeHitNotices(
      [...owners].map(([owner, alerts]) => hitEntry(queryId, principal.agencyId, owner, alerts, askedAt)),
    );
    await this.audit.publish([
      {
        eventId: `hits:${queryId}`,
        type: AuditEventType.HitsQueried,
        actor: actorOf(principal),
        details: {
          queryId,
          identifierCount: asked.length,
          hitCount,
          contacts: [...owners.keys()].sort(),
          keyHashes: asked.slice(0, AUDITED_KEY_HASHES_MAX),
          keyHashesDigest: createHash('sha256').update(asked.join('\n')).digest('hex'),
        },
      },
    ]);
    return { results };
  }
}

/** Each owner's alerts that the query named (current version), sorted: one notice per owner. */
function ownersOf(rows: readonly HitRow[]): Map<string, Map<string, number>> {
  const owners = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const alerts = owners.get(row.sender) ?? new Map<string, number>();
    alerts.set(row.alert_id, row.version);
    owners.set(row.sender, alerts);
  }
  return owners;
}

function hitEntry(
  queryId: string,
  askedBy: string,
  owner: string,
  alerts: ReadonlyMap<string, number>,
  askedAt: Date,
): InboxEntry {
  const alertIds = [...alerts.keys()].sort();
  const hit: HitNoticeView = {
    queryId,
    askedBy,
    alertIds,
    text:
      `${askedBy} checked identifiers that your ${alertIds.length === 1 ? 'alert' : 'alerts'} ${alertIds.join(', ')} ` +
      `${alertIds.length === 1 ? 'names' : 'name'}; it was told to contact you.`,
    askedAt: askedAt.toISOString(),
  };
  return {
    deliveryId: noticeId(queryId, owner),
    recipient: owner,
    alertId: alertIds[0],
    version: alerts.get(alertIds[0])!,
    kind: 'hit',
    sender: owner,
    hasContent: false,
    cancelReason: null,
    match: null,
    hit,
    withdrawn: false,
    auditDetails: { queryId, askedBy, alertIds },
  };
}

/** Deterministic per (query, owner), shaped as a UUID: the inbox stores one notice per owner and query. */
function noticeId(queryId: string, owner: string): string {
  const hex = createHash('sha256').update(`hit-notice\n${queryId}\n${owner}`).digest('hex');
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
