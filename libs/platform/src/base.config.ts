import { Type } from 'class-transformer';
import {
  IsBooleanString,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { withCredentials } from '@hub/database/migrate';
import { KafkaCredentials, KafkaTls } from '@hub/kafka/kafka-client';
import {
  ConfigError,
  IsPemFile,
  IsTlsKeyPairFile,
  NotALocalDefaultInProduction,
  PlainHttpOnLoopbackInProduction,
  readPemFile,
  readTlsKeyPair,
  splitList,
  TlsKeyPair,
  TlsKeyPairProblem,
} from './config';

/**
 * Environment shared by the three apps. Each app's config class extends it and adds its own variables;
 * property names are the environment variable names, so a boot error names the variable to fix.
 */
export abstract class HubBaseConfig {
  @IsString() @IsNotEmpty() KAFKA_BROKERS: string = '127.0.0.1:9092';
  /**
   * The brokers speak SASL_SSL only. KAFKA_SSL_CA: path of the PEM file of the CA that signed their certificates (the
   * only CA trusted; required, a service refuses to boot without it). npm start/test/bench/chaos generate one into
   * .hub/kafka/tls/ and set it. KAFKA_SSL_CERT and KAFKA_SSL_KEY: a client certificate and its unencrypted PKCS#8 key,
   * both or neither, for brokers that require one (ssl.client.auth=required).
   */
  @IsString({
    message:
      "KAFKA_SSL_CA must name the PEM file of the CA that signed the Kafka brokers' certificates (the brokers speak SASL_SSL)",
  })
  @IsPemFile('CERTIFICATE')
  KAFKA_SSL_CA!: string;
  @ValidateIf((c: HubBaseConfig) => c.KAFKA_SSL_KEY !== undefined || c.KAFKA_SSL_CERT !== undefined)
  @IsString({ message: 'KAFKA_SSL_CERT is required with KAFKA_SSL_KEY' })
  @IsPemFile('CERTIFICATE')
  KAFKA_SSL_CERT?: string;
  @ValidateIf((c: HubBaseConfig) => c.KAFKA_SSL_KEY !== undefined || c.KAFKA_SSL_CERT !== undefined)
  @IsString({ message: 'KAFKA_SSL_KEY is required with KAFKA_SSL_CERT' })
  @IsPemFile('PRIVATE KEY')
  KAFKA_SSL_KEY?: string;
  @IsInt() @Min(1) @Max(5) @Type(() => Number) KAFKA_REPLICATION_FACTOR: number = 1;
  @IsInt() @Min(1) @Max(5) @Type(() => Number) KAFKA_MIN_INSYNC_REPLICAS: number = 1;
  /**
   * retention.ms of the topics `main.js migrate` creates that carry alert content (submissions, deliveries, match
   * notices, dead letters): how long a copy can outlive an erasure in Kafka. Default 7 days.
   */
  @IsInt() @Min(60_000) @Type(() => Number) KAFKA_CONTENT_RETENTION_MS: number = 7 * 24 * 3600 * 1000;
  /**
   * The Kafka admin principal (a super user of the cluster): used by `main.js migrate` only, to create topics and set
   * this app's ACLs. When unset, migrate leaves Kafka alone (someone else provisions it); a serving app never uses it.
   */
  @IsString() @IsNotEmpty() KAFKA_ADMIN_USERNAME: string = 'hub-admin';
  @IsOptional() @IsString() @IsNotEmpty() @NotALocalDefaultInProduction() KAFKA_ADMIN_PASSWORD?: string;
  /** Owner connection: creates roles and schemas and runs migrations. */
  @IsString() @IsNotEmpty() DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/hub';
  /** Set it to production to refuse the documented local defaults of secrets (admin key, database and Kafka passwords). */
  @IsOptional() @IsString() NODE_ENV?: string;
  /**
   * The address the HTTP server listens on. Under NODE_ENV=production anything but loopback is refused unless the
   * service serves HTTPS itself (HTTPS_CERT_FILE and HTTPS_KEY_FILE) or HTTP_BEHIND_TLS_PROXY=true says a proxy in
   * front of it terminates TLS.
   */
  @IsString() @IsNotEmpty() @PlainHttpOnLoopbackInProduction() HOST: string = '127.0.0.1';
  /**
   * HTTPS: the server's certificate (PEM, intermediates after it) and its unencrypted private key (PEM), both or
   * neither. With them the service listens on HTTPS only (same port); a file that cannot be read, is no certificate
   * or key, has expired, or a key that is not the certificate's, stops the boot naming the variable.
   */
  @ValidateIf((c: HubBaseConfig) => c.HTTPS_CERT_FILE !== undefined || c.HTTPS_KEY_FILE !== undefined)
  @IsString({ message: 'HTTPS_CERT_FILE is required with HTTPS_KEY_FILE (the certificate of that key, PEM)' })
  @IsTlsKeyPairFile('cert', 'HTTPS_CERT_FILE', 'HTTPS_KEY_FILE')
  HTTPS_CERT_FILE?: string;
  @ValidateIf((c: HubBaseConfig) => c.HTTPS_CERT_FILE !== undefined || c.HTTPS_KEY_FILE !== undefined)
  @IsString({ message: "HTTPS_KEY_FILE is required with HTTPS_CERT_FILE (that certificate's private key, PEM)" })
  @IsTlsKeyPairFile('key', 'HTTPS_CERT_FILE', 'HTTPS_KEY_FILE')
  HTTPS_KEY_FILE?: string;
  /** "true": a proxy in front terminates TLS, and clients reach the service only through it (see HOST). */
  @IsOptional() @IsBooleanString() HTTP_BEHIND_TLS_PROXY?: string;
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL: string = 'info';
  /** Requests per minute per verified API key (per source address without one), per process; 429 + Retry-After beyond. */
  @IsInt() @Min(1) @Type(() => Number) RATE_LIMIT_PER_MINUTE: number = 6000;
  /**
   * Bearer token GET /metrics requires (a scraper is no agency, so no API key). Unset, /metrics is open: fine on
   * loopback (npm start), not on a shared network.
   */
  @IsOptional() @IsString() @MinLength(16) METRICS_TOKEN?: string;

  get brokers(): string[] {
    return splitList(this.KAFKA_BROKERS);
  }

  /** The brokers' CA (and the optional client certificate), read from the files the config validated. */
  get kafkaTls(): KafkaTls {
    const read = (variable: 'KAFKA_SSL_CA' | 'KAFKA_SSL_CERT' | 'KAFKA_SSL_KEY', label: string) => {
      const text = readPemFile(this[variable] as string, label);
      if (text instanceof Error) throw new Error(`${variable}: the file ${text.message}`);
      return text;
    };
    return {
      ca: read('KAFKA_SSL_CA', 'CERTIFICATE'),
      ...(this.KAFKA_SSL_CERT && this.KAFKA_SSL_KEY
        ? { cert: read('KAFKA_SSL_CERT', 'CERTIFICATE'), key: read('KAFKA_SSL_KEY', 'PRIVATE KEY') }
        : {}),
    };
  }

  /** The HTTPS server's certificate and key when HTTPS_CERT_FILE and HTTPS_KEY_FILE are set (validated at load). */
  get https(): TlsKeyPair | undefined {
    if (this.HTTPS_CERT_FILE === undefined || this.HTTPS_KEY_FILE === undefined) return undefined;
    const pair = readTlsKeyPair(this.HTTPS_CERT_FILE, this.HTTPS_KEY_FILE);
    if (!(pair instanceof TlsKeyPairProblem)) return pair;
    throw new ConfigError(
      pair.cert ? `HTTPS_CERT_FILE: the file ${pair.cert.message}` : `HTTPS_KEY_FILE: the file ${pair.key?.message}`,
    );
  }

  /** This app's own Kafka principal (User:<service>, SCRAM-SHA-512), from its `<APP>_KAFKA_PASSWORD`. */
  abstract get kafkaCredentials(): KafkaCredentials;

  /** The admin principal, when KAFKA_ADMIN_PASSWORD is set. */
  get kafkaAdminCredentials(): KafkaCredentials | undefined {
    return this.KAFKA_ADMIN_PASSWORD
      ? { username: this.KAFKA_ADMIN_USERNAME, password: this.KAFKA_ADMIN_PASSWORD }
      : undefined;
  }

  /**
   * The app's runtime URL: explicit, or DATABASE_URL with the app's own role and its own password (one secret per
   * role: a compromised gateway must not be able to connect as hub_audit).
   */
  protected runtimeUrl(explicit: string, role: string, password: string): string {
    return explicit || withCredentials(this.DATABASE_URL, role, password);
  }
}
