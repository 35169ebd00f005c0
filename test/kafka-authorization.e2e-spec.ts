import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { AuditEventType } from '@hub/contracts/audit-event';
import { AUDIT_TOPIC_OF, HubService, Topic } from '@hub/contracts/topics';
import { testEnvironment, testKafka, testKafkaConnection, TestPrincipal } from '@hub/testing';

const env = testEnvironment();

/** Produces one record as `principal`; resolves to the broker's error type, or 'OK' when the write was accepted. */
async function produceAs(principal: TestPrincipal, topic: Topic, value: unknown = { probe: true }): Promise<string> {
  const producer = testKafka('authz-producer', principal).producer({
    idempotent: true,
    maxInFlightRequests: 1,
    retry: { retries: 1 },
  });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: `authz-${randomUUID()}`, value: JSON.stringify(value) }],
    });
    return 'OK';
  } catch (error) {
    return errorType(error);
  } finally {
    await producer.disconnect();
  }
}

/**
 * Joins `groupId` as `principal` and reads `topic`; resolves to the broker's error type, or 'OK' once it joined.
 * kafkajs reports a refused FindCoordinator only as "group coordinator not found", so the broker's own answer is taken
 * from its debug log.
 */
async function consumeAs(principal: TestPrincipal, topic: Topic, groupId: string): Promise<string> {
  const brokerErrors: string[] = [];
  const kafka = new Kafka({
    clientId: `authz-consumer-${randomUUID().slice(0, 8)}`,
    ...testKafkaConnection(principal),
    logLevel: logLevel.DEBUG,
    logCreator: () => (entry) => {
      const type = (entry.log.error as { type?: string } | undefined)?.type;
      if (type) brokerErrors.push(type);
    },
  });
  const consumer = kafka.consumer({ groupId, retry: { retries: 0 } });
  await consumer.connect();
  try {
    const joined = new Promise<string>((resolve) => {
      consumer.on(consumer.events.GROUP_JOIN, () => resolve('OK'));
      consumer.on(consumer.events.CRASH, ({ payload }) => resolve(errorType(payload.error)));
    });
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
    const outcome = await joined;
    return outcome === 'KafkaJSGroupCoordinatorNotFound'
      ? (brokerErrors.find((type) => type.endsWith('AUTHORIZATION_FAILED')) ?? outcome)
      : outcome;
  } catch (error) {
    const type = errorType(error);
    return type === 'KafkaJSGroupCoordinatorNotFound'
      ? (brokerErrors.find((t) => t.endsWith('AUTHORIZATION_FAILED')) ?? type)
      : type;
  } finally {
    await consumer.disconnect();
  }
}

/** The Kafka protocol error kafkajs wraps (TOPIC_AUTHORIZATION_FAILED, GROUP_AUTHORIZATION_FAILED…), else its class. */
function errorType(error: unknown): string {
  for (
    let e = error as { type?: string; name?: string; cause?: unknown; originalError?: unknown } | undefined, depth = 0;
    e && depth < 6;
    depth++
  ) {
    if (e.type) return e.type;
    if (!e.originalError && !e.cause) return e.name ?? 'Error';
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return 'Error';
}

describe('Kafka is an authenticated trust boundary (SASL/SCRAM-SHA-512 + ACLs on the real broker)', () => {
  it('refuses a client without credentials, and one with a wrong password', async () => {
    const anonymous = new Kafka({
      clientId: 'authz-anonymous',
      brokers: env.brokers,
      ssl: testKafkaConnection().ssl, // TLS done right, SASL skipped
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toThrow();
    await anonymous.disconnect();

    const impostor = new Kafka({
      clientId: 'authz-impostor',
      ...testKafkaConnection(HubService.AgencyGateway),
      sasl: { mechanism: 'scram-sha-512', username: HubService.AgencyGateway, password: 'not-the-password' },
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    await expect(impostor.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/i);
    await impostor.disconnect();
  });

  it.each([
    // Forged routing outcomes, credentials and reference data are what a compromised or impersonated service would write.
    [HubService.AgencyGateway, Topic.AlertsRouted],
    [HubService.AgencyGateway, Topic.MatchNotices],
    [HubService.AgencyGateway, AUDIT_TOPIC_OF[HubService.CoordinationNode]],
    [HubService.CoordinationNode, Topic.Credentials],
    [HubService.CoordinationNode, Topic.Agencies],
    [HubService.CoordinationNode, Topic.AlertsSubmitted],
    [HubService.CoordinationNode, AUDIT_TOPIC_OF[HubService.AuditLog]],
    [HubService.AuditLog, Topic.Credentials],
    [HubService.AuditLog, Topic.SharingGroups],
    [HubService.AuditLog, Topic.AlertsRouted],
    [HubService.AuditLog, AUDIT_TOPIC_OF[HubService.AgencyGateway]],
  ])('refuses %s writing %s, a topic it does not own', async (principal, topic) => {
    expect(await produceAs(principal, topic)).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it.each([HubService.AgencyGateway, HubService.CoordinationNode, HubService.AuditLog])(
    'lets %s write its own audit topic (so the refusals above are the ACLs, not a broken client)',
    async (service) => {
      // A valid fact in its own name: the audit log appends it like any other.
      const fact = {
        eventId: `authz-${randomUUID()}`,
        type: AuditEventType.AccessDenied,
        at: new Date().toISOString(),
        actor: { service },
        details: { probe: true },
      };
      expect(await produceAs(service, AUDIT_TOPIC_OF[service], fact)).toBe('OK');
    },
  );

  it('refuses a service reading a topic it does not need (the audit log reading alert submissions, RED content included)', async () => {
    expect(
      await consumeAs(HubService.AuditLog, Topic.AlertsSubmitted, `${HubService.AuditLog}-authz-${randomUUID()}`),
    ).toBe('TOPIC_AUTHORIZATION_FAILED');
  });

  it("refuses a service joining another service's consumer group, and lets it join its own", async () => {
    expect(
      await consumeAs(
        HubService.AgencyGateway,
        Topic.AlertsRouted,
        `${HubService.CoordinationNode}-authz-${randomUUID()}`,
      ),
    ).toBe('GROUP_AUTHORIZATION_FAILED');
    expect(
      await consumeAs(
        HubService.AgencyGateway,
        Topic.AlertsRouted,
        `${HubService.AgencyGateway}-authz-${randomUUID()}`,
      ),
    ).toBe('OK');
  });
});
