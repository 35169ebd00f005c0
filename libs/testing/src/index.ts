export * from './environment';
export * from './eventually';
export * from './http';
export * from './services';
export * from './hub-fixtures';
export * from './database';
export * from './sse';
export * from './browser';
