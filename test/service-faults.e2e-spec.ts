import {
  api,
  awaitMoreAccepted,
  createAgency,
  deadLetterHighWatermark,
  expectEventually,
  expectEverythingDelivered,
  expectNothingDeadLettered,
  expectRetriesReturnOriginal,
  restartService,
  startAlertLoad,
  startBroker,
  stopBroker,
  testEnvironment,
} from '@hub/testing';

/**
 * The short version of `npm run chaos`: under a steady load of retrying clients, each service is killed with
 * SIGKILL mid-stream (no shutdown hook runs: whatever it held in memory, uncommitted offsets, a half-sent outbox
 * batch, is gone) and started again, then the broker is restarted. Afterwards every promise the hub made holds:
 * each accepted alert reached its recipient exactly once, each retry got the original 202, the audit log holds each
 * fact exactly once, and nothing good was dead-lettered.
 */
const env = testEnvironment();
const APPS = ['agency-gateway', 'coordination-node', 'audit-log'] as const;

jest.setTimeout(600_000);

describe('service and broker faults under load', () => {
  it('kill -9 of each service, then a broker restart, mid-stream: nothing lost, duplicated or dead-lettered', async () => {
    const sender = await createAgency('UZ');
    const recipient = await createAgency('KZ');
    const deadLettersBefore = await deadLetterHighWatermark();
    await expectEventually(
      async () => (await api(env.gateway, 'GET', '/v1/inbox?limit=1', { key: recipient.key })).status === 200,
      {
        description: 'recipient key accepted',
      },
    );

    const load = startAlertLoad({ senderKey: sender.key, recipients: [recipient.id], clients: 6, intervalMs: 250 });
    try {
      await awaitMoreAccepted(load, 20, 'the load under way');
      for (const app of APPS) {
        await restartService(app, 'SIGKILL');
        await awaitMoreAccepted(load, 20, `alerts accepted again after kill -9 of ${app}`);
      }
      await stopBroker();
      await startBroker();
      await awaitMoreAccepted(load, 20, 'alerts accepted again after the broker restart');
    } finally {
      await load.stop();
    }
    const result = await load.stop();

    expect(result.unfinished).toEqual([]);
    // Some client did retry (the gateway's kill cut requests off), so the retry checks below are not vacuous.
    expect(result.accepted.some((submission) => submission.attempts > 1)).toBe(true);
    const statuses = Object.fromEntries(result.statuses);
    expect(
      Object.keys(statuses)
        .map(Number)
        .filter((status) => status >= 500 && status !== 503),
    ).toEqual([]);

    await expectEverythingDelivered(result.accepted, recipient, sender.id);
    await expectRetriesReturnOriginal(sender.key, result.accepted);
    await expectNothingDeadLettered(deadLettersBefore, [sender.id, recipient.id]);
    for (const base of [env.gateway, env.coordination, env.audit]) {
      await expectEventually(async () => (await api(base, 'GET', '/health')).status === 200, {
        description: `${base} healthy`,
      });
    }
  });
});
