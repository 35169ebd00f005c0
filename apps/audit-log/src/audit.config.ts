import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { HubBaseConfig } from '@hub/platform/base.config';

export class AuditConfig extends HubBaseConfig {
  @IsInt() @Min(1) @Max(65535) @Type(() => Number) AUDIT_PORT: number = 3002;
  /** Runtime connection (role hub_audit); derived from DATABASE_URL when empty. */
  @IsOptional() @IsString() AUDIT_DATABASE_URL: string = '';

  get databaseUrl(): string {
    return this.runtimeUrl(this.AUDIT_DATABASE_URL, 'hub_audit');
  }
}
