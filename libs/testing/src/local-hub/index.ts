/**
 * How a local hub runs, for `npm start`, `npm test`, the benchmark, the chaos run and the tests alike: the app table,
 * the apps as processes and their supervisor, the local Kafka broker or cluster, and the principals' local passwords.
 * Tools (tools/) import it from here; nothing here imports tools, tests or apps.
 */
export * from './apps';
export * from './principals';
export * from './processes';
export * from './supervisor';
export * from './kafka-broker';
export * from './kafka-cluster';
export * from './kafka-tls';
export * from './https-certificates';
export * from './test-services';
