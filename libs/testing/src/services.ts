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
const kafka = require('../../../scripts/lib/kafka.js') as {
  startKafka(name: 'test', options?: { fresh?: boolean }): Promise<unknown>;
  stopKafka(name: 'test'): Promise<void>;
};

export const superviseService = (app: AppName, report: (line: string) => void) => services.superviseTestService(app, report);
export const startService = (app: AppName) => services.startTestService(app);
export const stopService = (app: AppName, signal?: NodeJS.Signals) => services.stopTestService(app, signal);
export const restartService = (app: AppName, signal?: NodeJS.Signals) => services.restartTestService(app, signal);
export const stopBroker = () => kafka.stopKafka('test');
export const startBroker = () => kafka.startKafka('test', { fresh: false });
