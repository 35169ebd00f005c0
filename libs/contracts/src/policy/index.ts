export * from './reference-view';
export * from './routing-reason';
export * from './routing-policy';
export * from './check-distribution';
export * from './forwarding';
