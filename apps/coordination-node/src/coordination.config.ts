import { Type } from 'class-transformer';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';
import { AGENCY_ID_PATTERN } from '@hub/contracts/reference';
import { HubService } from '@hub/contracts/topics';
import { KafkaCredentials } from '@hub/kafka/kafka-client';
import { HubBaseConfig } from '@hub/platform/base.config';
import { NotALocalDefaultInProduction } from '@hub/platform/config';

export class CoordinationConfig extends HubBaseConfig {
  @IsInt() @Min(1) @Max(65535) @Type(() => Number) COORDINATION_PORT: number = 3001;
  /** Runtime connection (role hub_coordination); derived from DATABASE_URL when empty. */
  @IsOptional() @IsString() COORDINATION_DATABASE_URL: string = '';
  /** Password of role hub_coordination when the URL is derived (its own secret; refused under NODE_ENV=production if left at the default). */
  @ValidateIf((c: { COORDINATION_DATABASE_URL: string }) => !c.COORDINATION_DATABASE_URL)
  @IsString()
  @NotALocalDefaultInProduction()
  COORDINATION_DB_PASSWORD: string = 'hub-local-only-coordination';
  /**
   * Agency id of the regional centre whose analysts use this node. RED and AMBER+STRICT alerts that do not
   * name it as a recipient are shown to analysts as metadata only.
   */
  @Matches(AGENCY_ID_PATTERN, { message: 'REGIONAL_CENTRE_ID must be an agency id such as CARICC' })
  REGIONAL_CENTRE_ID: string = 'CARICC';
  /** Analysts' feed streams (SSE) one API key may hold open at once, per node process (429 beyond). */
  @IsInt() @Min(1) @Type(() => Number) FEED_STREAMS_PER_KEY: number = 5;

  /**
   * Password of this app's Kafka principal, the SCRAM-SHA-512 user `coordination-node` (its own secret; the broker's ACLs give
   * that user only what this app needs; refused under NODE_ENV=production if left at the default).
   */
  @IsString() @IsNotEmpty() @NotALocalDefaultInProduction() COORDINATION_KAFKA_PASSWORD: string =
    'hub-local-only-kafka-coordination';

  /**
   * Secret of the keyed hashes (HMAC-SHA-256) that stand for identifiers in audit facts and in erased correlations
   * (docs/decisions/008-retention-and-erasure.md). Never stored in a database; refused under production if left at
   * the local default. Changing it makes new hashes incomparable with earlier ones.
   */
  @IsString() @MinLength(16) @NotALocalDefaultInProduction() IDENTIFIER_HASH_KEY: string =
    'hub-local-only-identifier-hash-key';

  get databaseUrl(): string {
    return this.runtimeUrl(this.COORDINATION_DATABASE_URL, 'hub_coordination', this.COORDINATION_DB_PASSWORD);
  }

  get kafkaCredentials(): KafkaCredentials {
    return { username: HubService.CoordinationNode, password: this.COORDINATION_KAFKA_PASSWORD };
  }
}
