import { loggable } from './http-error.filter';

describe('loggable (what an unexpected error leaves in the log)', () => {
  it('keeps the kind, message, SQLSTATE and stack, and drops the SQL and parameters a driver error carries', () => {
    const error = Object.assign(new Error('duplicate key value violates unique constraint'), {
      name: 'QueryFailedError',
      code: '23505',
      query: 'INSERT INTO gateway.alert_versions (content) VALUES ($1)',
      parameters: ['{"headline":"secret content"}'],
    });
    const logged = loggable(error);
    expect(logged).toMatchObject({
      name: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint',
      code: '23505',
    });
    expect(JSON.stringify(logged)).not.toContain('secret content');
    expect(JSON.stringify(logged)).not.toContain('INSERT INTO');
  });
});
