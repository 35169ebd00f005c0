export * from './api';
export * from './dom';
export * from './live-stream';
export * from './sse-frames';
