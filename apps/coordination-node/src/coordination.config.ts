import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { HubBaseConfig } from '@hub/platform/base.config';

export class CoordinationConfig extends HubBaseConfig {
  @IsInt() @Min(1) @Max(65535) @Type(() => Number) COORDINATION_PORT: number = 3001;
  /** Runtime connection (role hub_coordination); derived from DATABASE_URL when empty. */
  @IsOptional() @IsString() COORDINATION_DATABASE_URL: string = '';

  get databaseUrl(): string {
    return this.runtimeUrl(this.COORDINATION_DATABASE_URL, 'hub_coordination');
  }
}
