import { isDependencyOutage, OutboxUnavailableError } from './dependency-outage';

describe('isDependencyOutage (the HTTP 503 and batch-splitting hint; never a reason to drop a message)', () => {
  it.each([
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }],
    [{ code: '57P01', message: 'terminating connection due to administrator command' }],
    [{ code: '08006', message: 'connection failure' }],
    [{ code: '28000', message: 'role "hub_gateway" is not permitted to log in' }],
    [{ code: '53300', message: 'sorry, too many clients already' }],
    [{ code: '55000', message: 'database "hub" is not currently accepting connections' }],
    [
      {
        name: 'QueryFailedError',
        message: 'wrapped',
        driverError: { code: '57P01', message: 'terminating connection' },
      },
    ],
    [new Error('Connection terminated unexpectedly')],
    [new Error('timeout exceeded when trying to connect')],
    [
      Object.assign(new Error('Database connection provided by a query runner was already released'), {
        name: 'QueryRunnerProviderAlreadyReleasedError',
      }),
    ],
    [Object.assign(new Error('broker down'), { name: 'KafkaJSConnectionError' })],
    [new OutboxUnavailableError('Kafka did not acknowledge')],
  ])('treats %o as a dependency outage', (error) => {
    expect(isDependencyOutage(error)).toBe(true);
  });

  it.each([
    [new Error('simulated handler failure')],
    [new TypeError("Cannot read properties of undefined (reading 'id')")],
    [{ code: '23505', message: 'duplicate key value violates unique constraint' }],
    [{ code: '22P02', message: 'invalid input syntax for type uuid' }],
    [null],
    ['a string'],
  ])('does not treat %o as an outage', (error) => {
    expect(isDependencyOutage(error)).toBe(false);
  });
});
