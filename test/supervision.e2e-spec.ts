import {
  api,
  expectEventually,
  startService,
  stopService,
  superviseService,
  SupervisedService,
  testEnvironment,
} from '@hub/testing';

/**
 * npm start's supervisor (libs/testing/src/local-hub/supervisor.ts) on the test ports: a service killed with SIGKILL comes back by
 * itself, healthy, and the supervisor says so; a service stopped on purpose stays stopped.
 */
const env = testEnvironment();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('supervision (npm start)', () => {
  let supervised: SupervisedService | null = null;
  const reports: string[] = [];

  afterAll(async () => {
    // Whatever happened, leave the plain test process in place for the suites that follow.
    if (supervised) await supervised.stop();
    await startService('audit-log');
  });

  it('restarts a service killed with SIGKILL, reports it, and leaves a stopped service stopped', async () => {
    await stopService('audit-log');
    supervised = superviseService('audit-log', (line) => reports.push(line));
    await supervised.ready;
    const first = supervised.pid;

    process.kill(first, 'SIGKILL');
    await expectEventually(
      async () => {
        if (supervised!.pid === first) throw new Error('not restarted yet');
        const health = await api(env.audit, 'GET', '/health');
        if (health.status !== 200) throw new Error(`health ${health.status}: ${JSON.stringify(health.body)}`);
        return true;
      },
      {
        timeoutMs: 90_000,
        description: 'audit-log restarted and healthy',
      },
    );
    expect(alive(first)).toBe(false);
    expect(supervised.restarts).toBe(1);
    expect(
      reports.some((line) => line.includes(`audit-log (pid ${first}) exited`) && line.includes('signal SIGKILL')),
    ).toBe(true);
    await expectEventually(() => reports.some((line) => line.includes('healthy again')), {
      description: 'the supervisor reported the recovery',
    });

    const second = supervised.pid;
    await supervised.stop();
    supervised = null;
    expect(alive(second)).toBe(false);
    // A deliberate stop is not a crash: the exit is not reported as one and nothing is started in its place (the
    // supervisor sees the exit before stop() resolves).
    expect(reports.filter((line) => line.includes('restarting'))).toHaveLength(1);
    await expect(fetch(`${env.audit}/health`)).rejects.toThrow();
  });
});
