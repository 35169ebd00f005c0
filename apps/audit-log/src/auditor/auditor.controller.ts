import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Principal } from '@hub/auth/principal';
import { CurrentPrincipal, Roles } from '@hub/auth/roles.decorator';
import { Role } from '@hub/contracts/audit-event';
import { Checkpoint } from '@hub/merkle';
import { CheckpointKey } from '../signing/checkpoint-key';
import { AuditEntriesReader, EntryPage } from './audit-entries.reader';
import { AuditExporter } from './audit-export';
import { AuditorQueriesRecorder } from './auditor-queries.recorder';
import {
  AlertTrailParams,
  RoomTrailParams,
  ConsistencyProofQuery,
  EntriesQuery,
  ExportQuery,
  InclusionProofQuery,
  PageQuery,
  VisibilityQuery,
} from './dto/auditor.queries';
import { VISIBILITY_PAGE_MAX, VisibilityAnswer, VisibilityService } from './visibility.service';
import { ConsistencyProofView, InclusionProofView, TreeService } from './tree.service';

/** The auditor's API. Every call is recorded in the log itself (audit.queried) before it is answered. */
@Roles(Role.Auditor)
@Controller('v1/audit')
export class AuditorController {
  constructor(
    private readonly recorder: AuditorQueriesRecorder,
    private readonly entries: AuditEntriesReader,
    private readonly tree: TreeService,
    private readonly exporter: AuditExporter,
    private readonly key: CheckpointKey,
    private readonly visibilityService: VisibilityService,
  ) {}

  @Get('entries')
  async listEntries(@CurrentPrincipal() principal: Principal, @Query() query: EntriesQuery): Promise<EntryPage> {
    await this.recorder.record(principal, 'GET /v1/audit/entries', query);
    return this.entries.entriesPage(query);
  }

  @Get('alerts/:alertId/trail')
  async alertTrail(
    @CurrentPrincipal() principal: Principal,
    @Param() params: AlertTrailParams,
    @Query() query: PageQuery,
  ): Promise<{ alertId: string } & EntryPage> {
    await this.recorder.record(principal, 'GET /v1/audit/alerts/{alertId}/trail', { ...params, ...query });
    return { alertId: params.alertId, ...(await this.entries.trail(params.alertId, query)) };
  }

  /** Every fact about an operation room (created, members, messages as commitments, reads, closure, erasure), in log order. */
  @Get('rooms/:roomId/trail')
  async roomTrail(
    @CurrentPrincipal() principal: Principal,
    @Param() params: RoomTrailParams,
    @Query() query: PageQuery,
  ): Promise<{ roomId: string } & EntryPage> {
    await this.recorder.record(principal, 'GET /v1/audit/rooms/{roomId}/trail', { ...params, ...query });
    return { roomId: params.roomId, ...(await this.entries.trail(`room:${params.roomId.toLowerCase()}`, query)) };
  }

  @Get('checkpoint')
  async checkpoint(@CurrentPrincipal() principal: Principal): Promise<Checkpoint> {
    await this.recorder.record(principal, 'GET /v1/audit/checkpoint');
    return this.tree.issueCheckpoint(principal.keyId);
  }

  /** For a first look only: an auditor should pin this key out of band, since a rogue server could swap both. */
  @Get('public-key')
  async publicKey(
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ algorithm: 'Ed25519'; keyId: string; publicKeyPem: string }> {
    await this.recorder.record(principal, 'GET /v1/audit/public-key');
    return { algorithm: 'Ed25519', keyId: this.key.keyId, publicKeyPem: this.key.publicKeyPem };
  }

  @Get('proofs/inclusion')
  async inclusionProof(
    @CurrentPrincipal() principal: Principal,
    @Query() query: InclusionProofQuery,
  ): Promise<InclusionProofView> {
    await this.recorder.record(principal, 'GET /v1/audit/proofs/inclusion', query);
    return this.tree.inclusionProof(query.seq, query.treeSize);
  }

  @Get('proofs/consistency')
  async consistencyProof(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ConsistencyProofQuery,
  ): Promise<ConsistencyProofView> {
    await this.recorder.record(principal, 'GET /v1/audit/proofs/consistency', query);
    return this.tree.consistencyProof(query.from, query.to);
  }

  @Get('export')
  async export(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ExportQuery,
    @Res() response: Response,
  ): Promise<void> {
    await this.recorder.record(principal, 'GET /v1/audit/export', query);
    const { format = 'ndjson', ...filter } = query;
    await this.exporter.stream(filter, format, response);
  }

  /**
   * What agency X could see at time T (docs/decisions/015-visibility.md): every version it was entitled to, had
   * delivered and had read by T, and every denial, each with the seq, leaf text and inclusion proof of the fact that
   * proves it, against a checkpoint signed now (so at or after T). Paged over the facts naming the agency.
   */
  @Get('visibility')
  async visibility(
    @CurrentPrincipal() principal: Principal,
    @Query() query: VisibilityQuery,
  ): Promise<VisibilityAnswer> {
    await this.recorder.record(principal, 'GET /v1/audit/visibility', query);
    const limit = Math.min(query.limit ?? VISIBILITY_PAGE_MAX, VISIBILITY_PAGE_MAX);
    return this.visibilityService.visibility(
      principal.keyId,
      query.agency,
      query.at,
      query.after === undefined ? undefined : Number(query.after),
      limit,
      query.treeSize,
    );
  }
}
