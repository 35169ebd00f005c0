export * from './data-source';
export * from './migrate';
export * from './pg-wakeups';
export * from './sql-runner';
