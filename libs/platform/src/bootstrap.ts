import { INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { SupervisedServerKafka } from '@hub/kafka/supervised-server-kafka';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { HubService } from '@hub/contracts/topics';
import { topicsOf } from '@hub/kafka/kafka-access';
import { KafkaCredentials, kafkaConnectionConfig, kafkaLogCreator, KafkaTls } from '@hub/kafka/kafka-client';
import { TopicAdmin } from '@hub/kafka/topic-admin';
import { observeHttpRequests } from '@hub/observability/http-metrics';
import { traceHttpRequests } from '@hub/observability/http-tracing';
import { TlsKeyPair } from './config';
import { HubExceptionFilter } from './http-error.filter';
import { BodyRoute, jsonBodyMiddleware, TextBodyType } from './http-body';
import { hubValidationPipe } from './validation.pipe';

export interface HybridAppOptions {
  service: HubService;
  host: string;
  port: number;
  brokers: string[];
  /** The service's own Kafka principal. */
  credentials: KafkaCredentials;
  /** The brokers' CA (TLS). */
  tls: KafkaTls;
  /** HTTPS: the server's certificate and key (HTTPS_CERT_FILE, HTTPS_KEY_FILE). Set, the port speaks HTTPS only. */
  https?: TlsKeyPair;
  /** Consumer group id, used exactly as given (postfixId is disabled). */
  groupId: string;
  /** Partitions of one consumer processed at once; ordering within a partition is kept. */
  partitionsConsumedConcurrently?: number;
  /** Media types besides JSON whose bodies reach handlers as text (the gateway: application/cap+xml). */
  textBodyTypes?: readonly TextBodyType[];
  /** Endpoints with a body limit (and media type) of their own: the bulk endpoints. */
  bodyRoutes?: readonly BodyRoute[];
  /** Extra HTTP setup (OpenAPI, static files) before listening. */
  configure?: (app: NestExpressApplication) => void | Promise<void>;
}

/**
 * Boots one hub service: HTTP API and Kafka consumer in one process. The consumer subscribes once the topics the
 * service uses exist (`main.js migrate` creates them), and the process only listens once it has joined its group.
 */
export async function bootstrapHybridApp(module: unknown, options: HybridAppOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module as never, {
    bodyParser: false,
    bufferLogs: true,
    // Node's own TLS: one port, HTTPS only (a plain-HTTP request on it fails the handshake); Node's floor, TLS 1.2.
    ...(options.https ? { httpsOptions: { cert: options.https.cert, key: options.https.key } } : {}),
  });
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  app.use(observeHttpRequests);
  app.use(...jsonBodyMiddleware(options.textBodyTypes, options.bodyRoutes));
  // After the body parsers: their stream callbacks would run outside the request's span.
  app.use(traceHttpRequests);
  app.useGlobalPipes(hubValidationPipe());
  app.useGlobalFilters(new HubExceptionFilter());
  app.enableShutdownHooks();
  keepRunningOnUnhandledRejection();
  await options.configure?.(app);
  await app.get(TopicAdmin).awaitTopics(topicsOf(options.service));
  app.connectMicroservice<MicroserviceOptions>({
    strategy: new SupervisedServerKafka({
      postfixId: '',
      client: {
        clientId: `${options.service}-consumer`,
        ...kafkaConnectionConfig(options),
        logCreator: kafkaLogCreator,
        retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
      },
      consumer: {
        groupId: options.groupId,
        sessionTimeout: 30000,
        heartbeatInterval: 3000,
        allowAutoTopicCreation: false,
      },
      subscribe: { fromBeginning: true },
      run: { autoCommit: true, partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 3 },
    }),
  });
  await app.startAllMicroservices();
  await app.listen(options.port, options.host);
  // Longer than clients' and proxies' idle timeouts, so the server never closes a kept-alive connection just as
  // a client reuses it (seen as "other side closed" under load).
  const server = app.getHttpServer() as import('node:http').Server | import('node:https').Server;
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const scheme = options.https ? 'https' : 'http';
  new NestLogger('Bootstrap').log(`${options.service} listening on ${scheme}://${options.host}:${options.port}`);
  return app;
}

/**
 * A promise that rejects with nobody awaiting it (typically a connection that died under a fire-and-forget call)
 * would end the process under Node's default; a service must not exit because a dependency went away. It is
 * logged as an error, with its stack, and the service goes on; the work it belonged to is retried by its owner.
 */
function keepRunningOnUnhandledRejection(): void {
  if (process.listenerCount('unhandledRejection') > 0) return;
  const logger = new NestLogger('Process');
  process.on('unhandledRejection', (reason) => {
    logger.error(
      { err: reason instanceof Error ? { message: reason.message, stack: reason.stack } : String(reason) },
      'unhandled promise rejection',
    );
  });
}
