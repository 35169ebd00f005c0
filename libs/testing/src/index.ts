export * from './environment';
export * from './eventually';
export * from './http';
export * from './services';
export * from './hub-fixtures';
export * from './database';
export * from './load';
export * from './invariants';
