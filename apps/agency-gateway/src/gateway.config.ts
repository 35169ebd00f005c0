import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { HubService } from '@hub/contracts/topics';
import { KafkaCredentials } from '@hub/kafka/kafka-client';
import { HubBaseConfig } from '@hub/platform/base.config';
import { NotALocalDefaultInProduction } from '@hub/platform/config';
import { CATEGORY_RETENTION_PATTERN, parseCategoryRetention, RetentionPolicy } from './erasure/retention-policy';

export class GatewayConfig extends HubBaseConfig {
  @IsInt() @Min(1) @Max(65535) @Type(() => Number) GATEWAY_PORT: number = 3000;
  /** Runtime connection of the gateway (role hub_gateway); derived from DATABASE_URL when empty. */
  @IsOptional() @IsString() GATEWAY_DATABASE_URL: string = '';
  /** Password of role hub_gateway when the URL is derived (its own secret; refused under NODE_ENV=production if left at the default). */
  @ValidateIf((c: { GATEWAY_DATABASE_URL: string }) => !c.GATEWAY_DATABASE_URL)
  @IsString()
  @NotALocalDefaultInProduction()
  GATEWAY_DB_PASSWORD: string = 'hub-local-only-gateway';
  /** The first admin key. `npm start` sets a documented local default; production must set its own. */
  /**
   * Secret of the keyed hashes (HMAC-SHA-256) of identifiers: the index POST /v1/hits looks up and its hits.queried
   * facts. The coordination node's value, so that a hash means the same identifier on both (never stored in a database).
   */
  @IsString() @MinLength(16) @NotALocalDefaultInProduction() IDENTIFIER_HASH_KEY: string =
    'hub-local-only-identifier-hash-key';

  @IsString() @IsNotEmpty() @MinLength(16) @NotALocalDefaultInProduction() HUB_ADMIN_KEY: string;
  /** Inbox streams (SSE) one API key may hold open at once, per gateway process (429 beyond). */
  @IsInt() @Min(1) @Type(() => Number) INBOX_STREAMS_PER_KEY: number = 5;
  /**
   * The auditing bodies: the agencies that may hold auditor keys (which read the whole log and disclose any content
   * through the commitment endpoints), comma-separated ids. Empty: the regional centre(s), like analyst keys.
   */
  @IsString()
  @Matches(/^$|^[A-Z][A-Z0-9-]{1,63}(,[A-Z][A-Z0-9-]{1,63})*$/, {
    message: 'AUDITOR_AGENCIES must be agency ids separated by commas',
  })
  AUDITOR_AGENCIES: string = '';

  /**
   * Password of this app's Kafka principal, the SCRAM-SHA-512 user `agency-gateway` (its own secret; the broker's ACLs give
   * that user only what this app needs; refused under NODE_ENV=production if left at the default).
   */
  @IsString() @IsNotEmpty() @NotALocalDefaultInProduction() GATEWAY_KAFKA_PASSWORD: string =
    'hub-local-only-kafka-gateway';

  /** Retention (docs/decisions/008-retention-and-erasure.md): content is kept this long after the alert's expiresAt. Default 30 days. */
  @IsInt() @Min(0) @Type(() => Number) RETENTION_GRACE_SECONDS: number = 30 * 24 * 3600;
  /** Alerts without expiresAt: kept this long after receipt unless RETENTION_BY_CATEGORY names their category. Default 2 years. */
  @IsInt() @Min(1) @Type(() => Number) RETENTION_DEFAULT_SECONDS: number = 2 * 365 * 24 * 3600;
  /** Per-category retention of alerts without expiresAt, e.g. `seizure=63072000,person-of-interest=31536000`. */
  @IsString()
  @Matches(CATEGORY_RETENTION_PATTERN, {
    message: 'RETENTION_BY_CATEGORY must be category=seconds pairs separated by commas, with known categories',
  })
  RETENTION_BY_CATEGORY: string = '';
  /** How often the retention job looks for alerts whose retention has ended. */
  @IsInt() @Min(1) @Type(() => Number) RETENTION_SWEEP_SECONDS: number = 300;

  get retentionPolicy(): RetentionPolicy {
    return {
      graceSeconds: this.RETENTION_GRACE_SECONDS,
      defaultSeconds: this.RETENTION_DEFAULT_SECONDS,
      byCategory: parseCategoryRetention(this.RETENTION_BY_CATEGORY),
    };
  }

  get databaseUrl(): string {
    return this.runtimeUrl(this.GATEWAY_DATABASE_URL, 'hub_gateway', this.GATEWAY_DB_PASSWORD);
  }

  get kafkaCredentials(): KafkaCredentials {
    return { username: HubService.AgencyGateway, password: this.GATEWAY_KAFKA_PASSWORD };
  }
}
