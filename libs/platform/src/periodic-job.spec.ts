import { Logger } from '@nestjs/common';
import { PeriodicJob } from './periodic-job';

const EVERY_MS = 1000;

/** A run the test ends when it likes. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('PeriodicJob', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    jest.useFakeTimers();
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => {
    jest.useRealTimers();
    warn.mockRestore();
  });

  it('runs every interval once started, and not before', async () => {
    const run = jest.fn(async () => undefined);
    const job = new PeriodicJob('Test', 'test job', run);
    await jest.advanceTimersByTimeAsync(3 * EVERY_MS);
    expect(run).not.toHaveBeenCalled();
    job.start(EVERY_MS);
    await jest.advanceTimersByTimeAsync(EVERY_MS - 1);
    expect(run).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(2 * EVERY_MS);
    expect(run).toHaveBeenCalledTimes(3);
    await job.stop();
  });

  it('goes on after a run that throws, logging the failure', async () => {
    const run = jest
      .fn<Promise<void>, []>()
      .mockRejectedValueOnce(new Error('database away'))
      .mockResolvedValue(undefined);
    const job = new PeriodicJob('Test', 'test job', run);
    job.start(EVERY_MS);
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(run).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith({ err: 'database away' }, 'test job failed; retried at the next tick');
    await jest.advanceTimersByTimeAsync(2 * EVERY_MS);
    expect(run).toHaveBeenCalledTimes(3);
    expect(warn).toHaveBeenCalledTimes(1);
    await job.stop();
  });

  it('never starts a run while one is under way', async () => {
    let active = 0;
    let most = 0;
    const runs: ReturnType<typeof deferred>[] = [];
    const job = new PeriodicJob('Test', 'test job', async () => {
      active++;
      most = Math.max(most, active);
      const current = deferred();
      runs.push(current);
      await current.promise;
      active--;
    });
    job.start(EVERY_MS);
    await jest.advanceTimersByTimeAsync(5 * EVERY_MS);
    expect(runs).toHaveLength(1);
    await job.tick(); // a tick by hand while one runs is skipped too, and returns at once
    expect(runs).toHaveLength(1);
    runs[0].resolve();
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(runs).toHaveLength(2);
    runs[1].resolve();
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(runs).toHaveLength(3);
    expect(most).toBe(1);
    runs[2].resolve();
    await job.stop();
  });

  it('stop() waits for the run under way, and no run starts after it', async () => {
    const current = deferred();
    const run = jest.fn(() => current.promise);
    const job = new PeriodicJob('Test', 'test job', run);
    job.start(EVERY_MS);
    await jest.advanceTimersByTimeAsync(EVERY_MS);
    expect(run).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stopping = job.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(3 * EVERY_MS);
    expect(stopped).toBe(false);
    current.resolve();
    await stopping;
    expect(stopped).toBe(true);
    await jest.advanceTimersByTimeAsync(3 * EVERY_MS);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('stops at once when no run is under way', async () => {
    const run = jest.fn(async () => undefined);
    const job = new PeriodicJob('Test', 'test job', run);
    job.start(EVERY_MS);
    await job.stop();
    await jest.advanceTimersByTimeAsync(3 * EVERY_MS);
    expect(run).not.toHaveBeenCalled();
  });
});
