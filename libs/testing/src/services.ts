/* eslint-disable @typescript-eslint/no-require-imports */
/** Typed access to the process control in test/services.js and scripts/lib/kafka.js. */
type AppName = 'agency-gateway' | 'coordination-node' | 'audit-log';

const services = require('../../../test/services.js') as {
  startTestService(app: AppName): Promise<unknown>;
  stopTestService(app: AppName, signal?: NodeJS.Signals): Promise<void>;
  restartTestService(app: AppName, signal?: NodeJS.Signals): Promise<void>;
};
const kafka = require('../../../scripts/lib/kafka.js') as {
  startKafka(name: 'test', options?: { fresh?: boolean }): Promise<unknown>;
  stopKafka(name: 'test'): Promise<void>;
};

export const startService = (app: AppName) => services.startTestService(app);
export const stopService = (app: AppName, signal?: NodeJS.Signals) => services.stopTestService(app, signal);
export const restartService = (app: AppName, signal?: NodeJS.Signals) => services.restartTestService(app, signal);
export const stopBroker = () => kafka.stopKafka('test');
export const startBroker = () => kafka.startKafka('test', { fresh: false });
