import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import {
  Checkpoint,
  deriveVisibility,
  hashToHex,
  inclusionProof,
  ProvenFact,
  provingSeqs,
  VisibilityItems,
} from '@hub/merkle';
import { HubError } from '@hub/platform/errors';
import { PostgresMerkleNodeStore } from '../log/postgres-node-store';
import { AuditEntriesReader } from './audit-entries.reader';
import { TreeService } from './tree.service';

export const VISIBILITY_PAGE_MAX = 1000;

export interface VisibilityAnswer extends VisibilityItems {
  agency: string;
  at: string;
  /** signed now, so at or after `at`: every proof below is against it */
  checkpoint: Checkpoint;
  /** the facts that prove the items: stored leaf text, leaf hash and inclusion proof against the checkpoint */
  facts: ProvenFact[];
  /** more facts about the agency follow: ask again with after=nextCursor (the same checkpoint size is kept by treeSize) */
  nextCursor: string | null;
}

/**
 * GET /v1/audit/visibility: what agency X was entitled to, had delivered and had read by time T, and every denial,
 * from the log alone — the facts that name the agency (the indexed agency filter), up to the checkpoint, derived by
 * libs/merkle's deriveVisibility, each with the seq and inclusion proof of the fact that proves it.
 */
@Injectable()
export class VisibilityService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly entries: AuditEntriesReader,
    private readonly tree: TreeService,
  ) {}

  async visibility(
    requestedBy: string,
    agency: string,
    at: string,
    afterSeq: number | undefined,
    limit: number,
    treeSize?: number,
  ): Promise<VisibilityAnswer> {
    if (Date.parse(at) > Date.now()) throw HubError.validation([{ path: 'at', message: 'must not be in the future' }]);
    const checkpoint = await this.tree.issueCheckpoint(requestedBy);
    if (treeSize !== undefined && treeSize > checkpoint.treeSize) {
      throw HubError.validation([
        { path: 'treeSize', message: `must not exceed the current tree size ${checkpoint.treeSize}` },
      ]);
    }
    const size = treeSize ?? checkpoint.treeSize;
    // Facts stamped after T are left out by the query (exclusive `to`) and again by deriveVisibility.
    const to = new Date(Date.parse(at) + 1).toISOString();
    const rows = await this.entries.page({ filter: { agency, to }, afterSeq, beforeSeq: size, limit });
    const facts = rows.map((row) => ({
      seq: Number(row.seq),
      entry: row.entry,
      leafHash: row.leaf_hash ? hashToHex(row.leaf_hash) : '',
    }));
    const items = deriveVisibility(facts, agency, at);
    const proving = new Set(provingSeqs(items));
    const store = new PostgresMerkleNodeStore(this.dataSource);
    const proven: ProvenFact[] = [];
    for (const fact of facts.filter((f) => proving.has(f.seq))) {
      proven.push({ ...fact, proof: (await inclusionProof(store, fact.seq, size)).map(hashToHex) });
    }
    // A checkpoint of exactly the size the proofs are against: a fresh one, or (paging) the one of the first page.
    const provenAgainst = size === checkpoint.treeSize ? checkpoint : await this.checkpointOfSize(size);
    return {
      agency,
      at,
      checkpoint: provenAgainst,
      ...items,
      facts: proven,
      nextCursor: rows.length === limit ? rows[rows.length - 1].seq : null,
    };
  }

  /** A checkpoint this service signed earlier for `size` (every issued checkpoint is kept in audit.checkpoints). */
  private async checkpointOfSize(size: number): Promise<Checkpoint> {
    const [row]: { root_hash: string; signed_at: string; key_id: string; signature: string }[] =
      await this.dataSource.query(
        `SELECT root_hash, signed_at, key_id, signature FROM audit.checkpoints WHERE tree_size = $1 ORDER BY id DESC LIMIT 1`,
        [size],
      );
    if (!row)
      throw HubError.validation([
        { path: 'treeSize', message: `no signed checkpoint of size ${size}: page with the treeSize of the first page` },
      ]);
    return {
      treeSize: size,
      rootHash: row.root_hash,
      timestamp: row.signed_at,
      keyId: row.key_id,
      signature: row.signature,
    };
  }
}
