import { KeyObject } from 'node:crypto';
import { auditEntryLeafHash } from './audit-leaf';
import { canonicalJson } from './canonical-json';
import { Checkpoint, exportPublicKeyPem, generateCheckpointKeyPair, keyIdFor, signCheckpoint } from './checkpoint';
import { hashToHex } from './hashing';
import { appendLeaves, InMemoryMerkleNodeStore } from './node-store';
import { consistencyProof, rootAt } from './proofs';
import { AuditEntryPage, AuditEntryView, AuditLogSource } from './verify';

/** Test double of the audit-log service: an honest log that tests then tamper with. */
export class FakeAuditLog {
  readonly signingKey: { privateKey: KeyObject; publicKey: KeyObject } = generateCheckpointKeyPair();
  /** What the server serves; tests edit it to play the superuser. */
  served: AuditEntryView[] = [];
  /** What the server presents as its latest checkpoint; tests replace it to play a forger. */
  latestCheckpoint!: Checkpoint;
  readonly store = new InMemoryMerkleNodeStore();
  private readonly honestEntries: Array<Record<string, unknown>> = [];

  static async withEntries(count: number): Promise<FakeAuditLog> {
    const log = new FakeAuditLog();
    await log.append(count);
    return log;
  }

  get publicKeyPem(): string {
    return exportPublicKeyPem(this.signingKey.publicKey);
  }

  get size(): number {
    return this.honestEntries.length;
  }

  async append(count: number): Promise<void> {
    const start = this.size;
    const entries = Array.from({ length: count }, (_, i) => sampleAuditEntry(start + i));
    const leafHashes = entries.map(auditEntryLeafHash);
    this.store.put(await appendLeaves(this.store, start, leafHashes));
    entries.forEach((entry, i) => {
      this.honestEntries.push(entry);
      this.served.push(wireItem(start + i, entry, leafHashes[i]));
    });
    this.latestCheckpoint = await this.checkpointAt(this.size);
  }

  async checkpointAt(treeSize: number): Promise<Checkpoint> {
    const root = await rootAt(this.store, treeSize);
    const { privateKey, publicKey } = this.signingKey;
    return signCheckpoint(
      privateKey,
      keyIdFor(publicKey),
      treeSize,
      root,
      new Date(Date.UTC(2025, 4, 1, 0, 0, treeSize)),
    );
  }

  /** The leaf hash the server keeps in merkle_nodes level 0 for a position, whatever happened to the entry rows. */
  async storedLeafHashHex(seq: number): Promise<string> {
    return hashToHex(await this.store.getNode(0, seq));
  }

  source(pageSize = 100): AuditLogSource & { consistencyRequests: Array<[number, number]> } {
    const consistencyRequests: Array<[number, number]> = [];
    return {
      consistencyRequests,
      fetchEntries: async (after) => this.page(after, pageSize),
      fetchLatestCheckpoint: async () => this.latestCheckpoint,
      fetchConsistencyProof: async (from, to) => {
        consistencyRequests.push([from, to]);
        return (await consistencyProof(this.store, from, to)).map(hashToHex);
      },
    };
  }

  /** A fetch implementation that answers the audit-log HTTP API for one bearer key. */
  httpFetch(apiKey: string, pageSize = 1000): typeof fetch & { requests: string[] } {
    const requests: string[] = [];
    const respond = (status: number, body: unknown, contentType = 'application/json') =>
      new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'content-type': contentType },
      });
    const handler = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const url = new URL(input instanceof Request ? input.url : input.toString());
      requests.push(`${url.pathname}${url.search}`);
      const authorization = new Headers(init?.headers).get('authorization');
      if (authorization !== `Bearer ${apiKey}`) return respond(401, { error: 'unauthorized', message: 'bad key' });
      switch (url.pathname) {
        case '/v1/audit/entries': {
          const limit = Math.min(Number(url.searchParams.get('limit') ?? pageSize), pageSize);
          return respond(200, this.page(url.searchParams.get('after'), limit));
        }
        case '/v1/audit/export':
          if (url.searchParams.get('format') !== 'leaves')
            return respond(400, { error: 'validation', message: 'format' });
          return respond(
            200,
            this.served
              .map(
                (item) =>
                  `${item.seq}\t${item.leafHash ?? ''}\t${typeof item.entry === 'string' ? item.entry : canonicalJson(item.entry)}\n`,
              )
              .join(''),
            'text/tab-separated-values',
          );
        case '/v1/audit/checkpoint':
          return respond(200, this.latestCheckpoint);
        case '/v1/audit/proofs/consistency': {
          const from = Number(url.searchParams.get('from'));
          const to = Number(url.searchParams.get('to'));
          const proof = (await consistencyProof(this.store, from, to)).map(hashToHex);
          return respond(200, { from, to, proof });
        }
        case '/v1/audit/public-key':
          return respond(200, this.publicKeyPem, 'application/x-pem-file');
        default:
          return respond(404, { error: 'not-found', message: url.pathname });
      }
    };
    return Object.assign(handler as typeof fetch, { requests });
  }

  private page(after: string | null, limit: number): AuditEntryPage {
    const start = after === null ? 0 : Number(after);
    const items = this.served.slice(start, start + limit);
    const end = start + items.length;
    return { items, nextCursor: end < this.served.length ? String(end) : null };
  }
}

export function sampleAuditEntry(seq: number): Record<string, unknown> {
  return {
    eventId: `delivered:${seq}`,
    type: 'alert.delivered',
    at: new Date(Date.UTC(2025, 4, 1) + seq * 1000).toISOString(),
    actor: { service: 'coordination-node' },
    alertId: `alert-${seq % 97}`,
    version: 1 + (seq % 3),
    recipient: seq % 2 === 0 ? 'TJ-DCA' : 'KG-BS',
    details: { topic: 'alerts.delivered.v1', partition: seq % 6, offset: String(seq) },
  };
}

export function wireItem(seq: number, entry: Record<string, unknown>, leafHash: Buffer): AuditEntryView {
  return { seq, at: entry.at, type: entry.type, actor: entry.actor, entry, leafHash: hashToHex(leafHash) };
}
