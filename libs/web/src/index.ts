export * from './api';
export * from './dom';
export * from './live-stream';
export * from './sse-frames';
export * from './i18n';
export * from './vocabulary';
export * from './vocabulary-en';
export * from './vocabulary-ru';
