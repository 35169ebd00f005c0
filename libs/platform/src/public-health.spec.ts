import { publicHealth } from './public-health';

describe('publicHealth: what the unauthenticated /health shows', () => {
  it('keeps states, counts and where a partition is stuck; drops every error text', () => {
    const stalled = {
      consumer: 'coordination-node',
      topic: 'alerts.submitted.v1',
      partition: 2,
      offset: '41',
      since: '2026-12-07T12:00:00.000Z',
      attempts: 7,
      error: 'duplicate key value violates unique constraint "alerts_pkey" (alert_id)=(secret-id)',
    };
    const result = publicHealth({
      status: 'error' as const,
      info: { postgres: { status: 'up' as const } },
      error: {
        kafka: { status: 'down' as const, message: 'Connection error: connect ECONNREFUSED 10.0.3.7:9092' },
        consumers: {
          status: 'down' as const,
          message: 'waiting out failures',
          stalled: [stalled],
          deadLetteredHere: 2,
        },
      },
      details: {
        postgres: { status: 'up' as const },
        kafka: { status: 'down' as const, message: 'Connection error: connect ECONNREFUSED 10.0.3.7:9092' },
        consumers: { status: 'down' as const, stalled: [stalled], deadLetteredHere: 2 },
      },
    });
    const { error: _error, ...where } = stalled;
    expect(result.error).toEqual({
      kafka: { status: 'down' },
      consumers: { status: 'down', stalled: [where], deadLetteredHere: 2 },
    });
    expect(result.details?.kafka).toEqual({ status: 'down' });
    expect(JSON.stringify(result)).not.toMatch(/ECONNREFUSED|duplicate key|secret-id/);
    expect(result.info).toEqual({ postgres: { status: 'up' } });
  });
});
