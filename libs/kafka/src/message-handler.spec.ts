import { isInfrastructureOutage } from './message-handler';

describe('isInfrastructureOutage', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }],
    [{ code: '08006', message: 'connection failure' }],
    [new Error('Connection terminated unexpectedly')],
    [Object.assign(new Error('broker down'), { name: 'KafkaJSConnectionError' })],
  ])('treats %o as an outage to wait out', (error) => {
    expect(isInfrastructureOutage(error)).toBe(true);
  });

  it.each([
    [new Error('simulated handler failure')],
    [{ code: '23505', message: 'duplicate key value violates unique constraint' }],
    [{ code: '22P02', message: 'invalid input syntax for type uuid' }],
    [null],
  ])('treats %o as a processing failure that counts towards dead-lettering', (error) => {
    expect(isInfrastructureOutage(error)).toBe(false);
  });
});
