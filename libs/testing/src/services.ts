/* eslint-disable @typescript-eslint/no-require-imports */
/** Typed access to the process control in test/services.js and scripts/lib/kafka.js. */
type AppName = 'agency-gateway' | 'coordination-node' | 'audit-log';

/** A service kept running by the supervisor of npm start (scripts/lib/supervisor.js). */
export interface SupervisedService {
  readonly pid: number;
  readonly restarts: number;
  ready: Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const services = require('../../../test/services.js') as {
  superviseTestService(app: AppName, report: (line: string) => void): SupervisedService;
  startTestService(app: AppName): Promise<unknown>;
  stopTestService(app: AppName, signal?: NodeJS.Signals): Promise<void>;
  restartTestService(app: AppName, signal?: NodeJS.Signals): Promise<void>;
};
/** A local multi-node KRaft cluster (scripts/lib/kafka.js startKafkaCluster). */
export interface BrokerCluster {
  brokers: string[];
  kill(nodeId: number, signal?: NodeJS.Signals): void;
  start(nodeId: number): Promise<void>;
  stop(): Promise<void>;
}

const kafka = require('../../../scripts/lib/kafka.js') as {
  TEST_SLOT: number;
  startKafka(name: 'test', options?: { fresh?: boolean }): Promise<unknown>;
  stopKafka(name: 'test'): Promise<void>;
  startKafkaCluster(options: { dir: string; nodes: number; basePort: number; controllerBasePort: number; heapMb?: number }): Promise<BrokerCluster>;
};

export const superviseService = (app: AppName, report: (line: string) => void) => services.superviseTestService(app, report);
export const startService = (app: AppName) => services.startTestService(app);
export const stopService = (app: AppName, signal?: NodeJS.Signals) => services.stopTestService(app, signal);
export const restartService = (app: AppName, signal?: NodeJS.Signals) => services.restartTestService(app, signal);
export const stopBroker = () => kafka.stopKafka('test');
export const startBroker = () => kafka.startKafka('test', { fresh: false });

/** A fresh 3-node cluster (replication factor 3, min.insync.replicas 2) on this test slot's own ports, for failover tests. */
export const startBrokerCluster = () =>
  kafka.startKafkaCluster({
    dir: require('node:path').join(__dirname, '..', '..', '..', '.hub', 'kafka', `test-cluster-${kafka.TEST_SLOT}`),
    nodes: 3,
    basePort: 19060 + kafka.TEST_SLOT * 100,
    controllerBasePort: 19070 + kafka.TEST_SLOT * 100,
    heapMb: 384,
  });
