import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, Min, ValidateIf } from 'class-validator';
import { HubService } from '@hub/contracts/topics';
import { KafkaCredentials } from '@hub/kafka/kafka-client';
import { HubBaseConfig } from '@hub/platform/base.config';
import { NotALocalDefaultInProduction } from '@hub/platform/config';

export class AuditConfig extends HubBaseConfig {
  @IsInt() @Min(1) @Max(65535) @Type(() => Number) AUDIT_PORT: number = 3002;
  /** Runtime connection (role hub_audit); derived from DATABASE_URL when empty. */
  @IsOptional() @IsString() AUDIT_DATABASE_URL: string = '';
  /** Password of role hub_audit when the URL is derived (its own secret; refused under NODE_ENV=production if left at the default). */
  @ValidateIf((c: { AUDIT_DATABASE_URL: string }) => !c.AUDIT_DATABASE_URL)
  @IsString()
  @NotALocalDefaultInProduction()
  AUDIT_DB_PASSWORD: string = 'hub-local-only-audit';
  /**
   * The Ed25519 checkpoint signing key as PKCS#8 PEM text (literal "\n" sequences are accepted for one-line
   * environments). Never stored in the database: a database superuser must not be able to sign.
   */
  @IsOptional() @IsString() AUDIT_SIGNING_KEY: string = '';
  /** Path of a PKCS#8 PEM file holding the signing key (e.g. a Docker secret). Set this or AUDIT_SIGNING_KEY. */
  @IsOptional() @IsString() AUDIT_SIGNING_KEY_FILE: string = '';
  /** Most audit events appended in one database transaction. */
  @IsInt() @Min(1) @Max(5000) @Type(() => Number) AUDIT_APPEND_BATCH_MAX: number = 500;

  /**
   * Password of this app's Kafka principal, the SCRAM-SHA-512 user `audit-log` (its own secret; the broker's ACLs give
   * that user only what this app needs; refused under NODE_ENV=production if left at the default).
   */
  @IsString() @IsNotEmpty() @NotALocalDefaultInProduction() AUDIT_KAFKA_PASSWORD: string = 'hub-local-only-kafka-audit';

  get databaseUrl(): string {
    return this.runtimeUrl(this.AUDIT_DATABASE_URL, 'hub_audit', this.AUDIT_DB_PASSWORD);
  }

  get kafkaCredentials(): KafkaCredentials {
    return { username: HubService.AuditLog, password: this.AUDIT_KAFKA_PASSWORD };
  }
}
