import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsString, Max, Min } from 'class-validator';
import { withCredentials } from '@hub/database/migrate';
import { splitList } from './config';

/**
 * Environment shared by the three apps. Each app's config class extends it and adds its own variables;
 * property names are the environment variable names, so a boot error names the variable to fix.
 */
export abstract class HubBaseConfig {
  @IsString() @IsNotEmpty() KAFKA_BROKERS: string = '127.0.0.1:9092';
  @IsInt() @Min(1) @Max(5) @Type(() => Number) KAFKA_REPLICATION_FACTOR: number = 1;
  @IsInt() @Min(1) @Max(5) @Type(() => Number) KAFKA_MIN_INSYNC_REPLICAS: number = 1;
  /** Owner connection: creates roles and schemas and runs migrations. */
  @IsString() @IsNotEmpty() DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/hub';
  /** Password given to the per-app runtime roles when their URL is derived from DATABASE_URL. */
  @IsString() @IsNotEmpty() HUB_DB_APP_PASSWORD: string = 'hub-local-only';
  @IsString() @IsNotEmpty() HOST: string = '127.0.0.1';
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL: string = 'info';

  get brokers(): string[] {
    return splitList(this.KAFKA_BROKERS);
  }

  /** The app's runtime URL: explicit, or DATABASE_URL with the app's own role. */
  protected runtimeUrl(explicit: string, role: string): string {
    return explicit || withCredentials(this.DATABASE_URL, role, this.HUB_DB_APP_PASSWORD);
  }
}
