import {
  alertBody,
  api,
  createAgency,
  expectEventually,
  inbox,
  startBroker,
  stopBroker,
  submitAlert,
  testEnvironment,
} from '@hub/testing';

const env = testEnvironment();
const services = { 'agency-gateway': env.gateway, 'coordination-node': env.coordination, 'audit-log': env.audit };

describe('GET /health of every service', () => {
  it.each(Object.entries(services))('%s answers 200 with Kafka and PostgreSQL up', async (_name, base) => {
    const response = await api(base, 'GET', '/health');
    expect(response.status).toBe(200);
    expect(response.body.info.postgres.status).toBe('up');
    expect(response.body.info.kafka.status).toBe('up');
    expect(response.body.info.kafka.deadLetters).toEqual(expect.any(Number));
    expect(response.body.info.consumers.status).toBe('up');
  });

  it('answers 503 naming Kafka while the broker is stopped, and 200 again once it is back', async () => {
    await stopBroker();
    try {
      for (const [name, base] of Object.entries(services)) {
        const down = await expectEventually(
          async () => {
            const response = await api(base, 'GET', '/health');
            return response.status === 503 ? response : false;
          },
          { timeoutMs: 20000, description: `${name} /health 503` },
        );
        expect(down.body.error.kafka.status).toBe('down');
        // Public: no error text (a broker address, a driver message) in the answer, only in the log.
        expect(down.body.error.kafka).toEqual({ status: 'down' });
        expect(down.body.info.postgres.status).toBe('up');
      }
    } finally {
      await startBroker();
    }
    for (const [name, base] of Object.entries(services)) {
      await expectEventually(async () => (await api(base, 'GET', '/health')).status === 200, {
        timeoutMs: 60000,
        description: `${name} healthy again`,
      });
    }
    // Every consumer is back, whatever kafkajs made of the outage (a consumer that crashed for good used to stay
    // down): an alert submitted now is routed, delivered and audited.
    // A client retries what a just-recovered hub answers 503 (its producers may still be reconnecting).
    const onboard = (country: string) =>
      expectEventually(() => createAgency(country), { timeoutMs: 60000, description: `agency ${country} onboarded` });
    const [sender, recipient] = [await onboard('TJ'), await onboard('KG')];
    const accepted = await expectEventually(
      async () => {
        const response = await submitAlert(sender.key, alertBody([recipient.id]));
        return response.status === 202 ? response.body : false;
      },
      { timeoutMs: 60000, description: 'a submission accepted after the outage' },
    );
    await expectEventually(async () => (await inbox(recipient.key)).some((item) => item.alertId === accepted.alertId), {
      timeoutMs: 120000,
      intervalMs: 1000,
      description: 'the alert delivered after the outage',
    });
  }, 400_000);
});
