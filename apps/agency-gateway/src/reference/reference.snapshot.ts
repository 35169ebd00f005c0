import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AlertContent } from '@hub/contracts/alert/alert-content';
import { ReferenceView, submissionErrors } from '@hub/contracts/policy';
import { FieldError } from '@hub/platform/errors';
import { AgencyEntity, SharingGroupEntity } from './reference.entities';
import { agencyRecord, sharingGroupRecord } from './reference.records';

export class GatewayReference {
  constructor(readonly view: ReferenceView) {}

  /** Domain rules (expiry, handling conditions, TLP/scope) and the distribution policy against our reference data. */
  submissionErrors(content: AlertContent, sender: string, now: Date): FieldError[] {
    return submissionErrors(content, sender, this.view, now);
  }
}

/** The gateway's own agencies and sharing groups, read fresh for each check (small tables, and never stale). */
@Injectable()
export class ReferenceSnapshot {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async load(): Promise<GatewayReference> {
    const [agencies, groups] = await Promise.all([
      this.dataSource.getRepository(AgencyEntity).find(),
      this.dataSource.getRepository(SharingGroupEntity).find(),
    ]);
    return new GatewayReference({ agencies: agencies.map(agencyRecord), sharingGroups: groups.map(sharingGroupRecord) });
  }
}
