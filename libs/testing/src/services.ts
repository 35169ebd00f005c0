import path from 'node:path';
import { AppName, ROOT } from './local-hub/apps';
import { startKafka, stopKafka, TEST_SLOT } from './local-hub/kafka-broker';
import { BrokerCluster, startKafkaCluster } from './local-hub/kafka-cluster';
import { SupervisedService } from './local-hub/supervisor';
import {
  restartTestService,
  startExtraTestService,
  startTestService,
  stopTestService,
  superviseTestService,
} from './local-hub/test-services';
import { ServiceHandle } from './local-hub/processes';

/** Process control for tests: the services under test and the test broker (libs/testing/src/local-hub). */
export type { AppName, BrokerCluster, ServiceHandle, SupervisedService };

export const superviseService = (app: AppName, report: (line: string) => void) => superviseTestService(app, report);
export const startService = (app: AppName) => startTestService(app);
export const stopService = (app: AppName, signal?: NodeJS.Signals) => stopTestService(app, signal);
export const restartService = (app: AppName, signal?: NodeJS.Signals) => restartTestService(app, signal);
/**
 * The app on other settings for a while: `apply` restarts it with them, `restore` with its own again (for beforeAll
 * and afterAll; allow them two minutes each).
 */
export function restartedWith(app: AppName, settings: Record<string, string>) {
  return {
    apply: async () => {
      Object.assign(process.env, settings);
      await restartService(app);
    },
    restore: async () => {
      for (const name of Object.keys(settings)) delete process.env[name];
      await restartService(app);
    },
  };
}
/** Another process of the app on its own settings (e.g. HTTPS on another port), probed with `probe.ca`; stop it yourself. */
export const startExtraService = (
  app: AppName,
  logName: string,
  overrides: NodeJS.ProcessEnv,
  probe?: { ca?: string },
) => startExtraTestService(app, logName, overrides, probe);
export const stopBroker = () => stopKafka('test');
export const startBroker = () => startKafka('test', { fresh: false });

/** A fresh 3-node cluster (replication factor 3, min.insync.replicas 2) on this test slot's own ports, for failover tests. */
export const startBrokerCluster = () =>
  startKafkaCluster({
    dir: path.join(ROOT, '.hub', 'kafka', `test-cluster-${TEST_SLOT}`),
    nodes: 3,
    basePort: 19060 + TEST_SLOT * 100,
    controllerBasePort: 19070 + TEST_SLOT * 100,
    heapMb: 384,
  });
