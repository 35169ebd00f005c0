import { aboveIdle, delta, regionalContent, type CostSnapshot } from './cost';
import type { SendCounts } from './preload/count-preload';

const counts = (statements: number, commits: number, produceCalls: number, messages: number): SendCounts => ({
  statements,
  commits,
  rollbacks: 0,
  produceCalls,
  messages,
  messagesByTopic: {},
  kafkaRequests: {},
  batchSizes: {},
});

const before: CostSnapshot = {
  at: 1000,
  topics: { 'alerts.submitted.v1': 100, 'alerts.routed.v1': 40 },
  services: { 'agency-gateway': counts(1000, 100, 50, 60) },
  auditSeq: 500,
  transactions: 2000,
};

const after: CostSnapshot = {
  at: 13500,
  topics: { 'alerts.submitted.v1': 160, 'alerts.routed.v1': 40, 'audit.events.gateway.v1': 30 },
  services: { 'agency-gateway': counts(1600, 190, 110, 180) },
  auditSeq: 890,
  transactions: 2333,
};

describe('delta (what a cost batch added, per accepted alert)', () => {
  const result = delta(before, after, 60);

  it('divides every counter by the accepted alerts, to 2 decimals', () => {
    expect(result.kafkaMessages).toBe(1.5); // (230 − 140) / 60
    expect(result.auditEntries).toBe(6.5); // 390 / 60
    expect(result.databaseTransactions).toBe(5.55); // 333 / 60
    expect(result.services['agency-gateway']).toEqual({
      sqlStatements: 10,
      commits: 1.5,
      produceCalls: 1,
      messagesProduced: 2,
    });
  });

  it('lists only the topics that grew, a new topic counted from 0', () => {
    expect(result.kafkaMessagesByTopic).toEqual({ 'alerts.submitted.v1': 1, 'audit.events.gateway.v1': 0.5 });
  });

  it('measures the window in seconds', () => {
    expect(result.seconds).toBe(12.5);
  });
});

describe('aboveIdle', () => {
  it("subtracts the idle rate over the batch's window, per alert", () => {
    const services = { 'agency-gateway': { sqlStatements: 10, commits: 1.5, produceCalls: 1, messagesProduced: 2 } };
    // 12 statements/s idle for 10 s over 60 alerts = 2 per alert; 3 COMMITs/s = 0.5 per alert
    aboveIdle(services, { 'agency-gateway': { sqlStatementsPerSecond: 12, commitsPerSecond: 3 } }, 10, 60);
    expect(services['agency-gateway']).toMatchObject({ sqlStatementsAboveIdle: 8, commitsAboveIdle: 1 });
  });

  it('never goes below zero', () => {
    const services = { 'audit-log': { sqlStatements: 1, commits: 0.2, produceCalls: 0, messagesProduced: 0 } };
    aboveIdle(services, { 'audit-log': { sqlStatementsPerSecond: 100, commitsPerSecond: 100 } }, 10, 10);
    expect(services['audit-log']).toMatchObject({ sqlStatementsAboveIdle: 0, commitsAboveIdle: 0 });
  });
});

describe('regionalContent', () => {
  it('addresses every agency: regional scope, no explicit recipients', () => {
    expect(regionalContent(7).distribution).toEqual({ scope: 'regional', recipients: [], sharingGroups: [] });
  });
});
