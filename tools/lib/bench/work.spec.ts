import { serviceWork, workPerAlert, type WorkCounters } from './diagnostics';
import type { SendCounts } from './preload/count-preload';
import { batchBucket } from './preload/send-hooks';

const sent = (statements: number, requests: Record<string, number>, batches: Record<string, number>): SendCounts => ({
  statements,
  commits: statements / 10,
  rollbacks: 0,
  produceCalls: statements / 5,
  messages: 0,
  messagesByTopic: {},
  kafkaRequests: requests,
  batchSizes: { 'alerts.submitted.v1': batches },
});

describe('batchBucket', () => {
  it.each([
    [1, '1'],
    [2, '2-4'],
    [4, '2-4'],
    [5, '5-16'],
    [64, '17-64'],
    [256, '65-256'],
    [257, '257+'],
    [10000, '257+'],
  ])('puts a batch of %i records in %s', (size, bucket) => expect(batchBucket(size)).toBe(bucket));
});

describe('work per alert', () => {
  const before: Record<string, SendCounts> = {
    'coordination-node': sent(100, { Fetch: 10, Produce: 4 }, { '1': 3 }),
  };
  const after: Record<string, SendCounts> = {
    'coordination-node': sent(300, { Fetch: 50, Produce: 4, OffsetCommit: 20 }, { '1': 5, '5-16': 7 }),
    'agency-gateway': sent(50, {}, {}), // not in the first snapshot: left out
  };

  it('divides what each service sent by the alerts, keeps only the requests that moved, counts batches by size', () => {
    expect(serviceWork(before, after, 20)).toEqual({
      'coordination-node': {
        sqlStatements: 10,
        commits: 1,
        produceCalls: 2,
        kafkaRequests: { Fetch: 2, OffsetCommit: 1 },
        consumerBatches: { 'alerts.submitted.v1': { batches: 9, bySize: { '1': 2, '5-16': 7 } } },
      },
    });
  });

  it('adds WAL and the services to the per-alert work of a phase', () => {
    const counters = (records: number, syncs: number, services: Record<string, SendCounts>): WorkCounters => ({
      topics: { 'alerts.submitted.v1': records },
      commits: records,
      rollbacks: 0,
      tables: {},
      wal: { records, bytes: records * 100, writes: syncs, syncs },
      services,
    });
    const work = workPerAlert(counters(100, 10, before), counters(300, 50, after), 20);
    expect(work?.walPerAlert).toEqual({ records: 10, bytes: 1000, writes: 2, syncs: 2 });
    expect(work?.services?.['coordination-node'].sqlStatements).toBe(10);
    expect(
      workPerAlert(counters(100, 10, before), { ...counters(300, 50, after), wal: null }, 20)?.walPerAlert,
    ).toBeNull();
  });
});
