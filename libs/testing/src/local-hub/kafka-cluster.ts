import { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  ensureKafkaJars,
  java,
  log,
  newClusterId,
  scramFormatArguments,
  securityProperties,
  spawnBroker,
  waitForBroker,
} from './kafka-broker';
import { kafkaClientConfig } from './principals';
import { portOpen, ProcessExit, sleep } from './processes';

export interface ClusterOptions {
  dir: string;
  nodes?: number;
  basePort: number;
  controllerBasePort: number;
  heapMb?: number;
}

/** A local multi-node KRaft cluster. */
export interface BrokerCluster {
  brokers: string[];
  nodes: { id: number; port: number; pid(): number | undefined }[];
  /** Sends `signal` to node `id` (SIGKILL: crash; SIGSTOP/SIGCONT: freeze/thaw). */
  kill(nodeId: number, signal?: NodeJS.Signals): void;
  /** Starts node `id` again after it died (same data directory). */
  start(nodeId: number): Promise<void>;
  stop(): Promise<void>;
}

interface ClusterMember {
  id: number;
  port: number;
  dir: string;
  propsFile: string;
  child: ChildProcess;
  exited: Promise<ProcessExit>;
}

function clusterNodeProperties(
  id: number,
  voters: string,
  nodes: number,
  ports: { port: number; controllerPort: number },
  nodeDir: string,
): string {
  return [
    'process.roles=broker,controller',
    `node.id=${id}`,
    `controller.quorum.voters=${voters}`,
    ...securityProperties(ports),
    `log.dirs=${path.join(nodeDir, 'data')}`,
    'num.partitions=3',
    `default.replication.factor=${Math.min(3, nodes)}`,
    `min.insync.replicas=${Math.min(2, nodes)}`,
    `offsets.topic.replication.factor=${Math.min(3, nodes)}`,
    'offsets.topic.num.partitions=10',
    `transaction.state.log.replication.factor=${Math.min(3, nodes)}`,
    `transaction.state.log.min.isr=${Math.min(2, nodes)}`,
    'unclean.leader.election.enable=false',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    '',
  ].join('\n');
}

/**
 * A local KRaft cluster of `nodes` combined broker+controller nodes sharing one controller quorum (npm run chaos):
 * the production shape of docker-compose.yml (replication factor 3, min.insync.replicas 2) from the same jars.
 * Formatted fresh each time. Node i listens on basePort+i-1 and its controller on controllerBasePort+i-1.
 */
export async function startKafkaCluster({
  dir,
  nodes = 3,
  basePort,
  controllerBasePort,
  heapMb = 512,
}: ClusterOptions): Promise<BrokerCluster> {
  ensureKafkaJars();
  for (let i = 0; i < nodes; i++) {
    if ((await portOpen(basePort + i)) || (await portOpen(controllerBasePort + i))) {
      throw new Error(`port ${basePort + i} or ${controllerBasePort + i} is taken by another process`);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const voters = Array.from({ length: nodes }, (_, i) => `${i + 1}@127.0.0.1:${controllerBasePort + i}`).join(',');
  const clusterId = newClusterId();
  const spawnNode = (member: Pick<ClusterMember, 'dir' | 'propsFile'>) => {
    const child = spawnBroker(member.propsFile, path.join(member.dir, 'kafka.log'), { min: 128, max: heapMb }, false);
    const exited = new Promise<ProcessExit>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    return { child, exited };
  };
  const members: ClusterMember[] = Array.from({ length: nodes }, (_, i) => {
    const id = i + 1;
    const nodeDir = path.join(dir, `node-${id}`);
    fs.mkdirSync(nodeDir, { recursive: true });
    const propsFile = path.join(nodeDir, 'server.properties');
    fs.writeFileSync(
      propsFile,
      clusterNodeProperties(id, voters, nodes, { port: basePort + i, controllerPort: controllerBasePort + i }, nodeDir),
    );
    const format = java([
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId,
      '-c',
      propsFile,
      ...scramFormatArguments(),
    ]);
    if (format.status !== 0)
      throw new Error(`kafka storage format (node ${id}) failed: ${format.stderr || format.stdout}`);
    return { id, port: basePort + i, dir: nodeDir, propsFile, ...spawnNode({ dir: nodeDir, propsFile }) };
  });
  const running = (m: ClusterMember) => m.child.exitCode === null && m.child.signalCode === null;
  const byId = (id: number) => {
    const member = members.find((m) => m.id === id);
    if (!member) throw new Error(`no node ${id}`);
    return member;
  };
  const brokers = members.map((m) => `127.0.0.1:${m.port}`);
  const cluster: BrokerCluster = {
    brokers,
    nodes: members.map((m) => ({ id: m.id, port: m.port, pid: () => m.child.pid })),
    kill(id, signal = 'SIGKILL') {
      byId(id).child.kill(signal);
    },
    async start(id) {
      const member = byId(id);
      if (running(member)) throw new Error(`node ${id} still runs`);
      Object.assign(member, spawnNode(member));
    },
    async stop() {
      for (const member of members.filter(running)) {
        member.child.kill('SIGCONT');
        member.child.kill('SIGTERM');
      }
      await Promise.race([Promise.all(members.map((m) => m.exited)), sleep(30000)]);
      for (const member of members.filter(running)) member.child.kill('SIGKILL');
    },
  };
  try {
    await waitForBroker(brokers);
    // every node registered, not just the first to answer
    const admin = new Kafka({
      clientId: 'hub-cluster-wait',
      ...kafkaClientConfig(brokers),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    for (let i = 0; i < 120 && (await admin.describeCluster()).brokers.length < nodes; i++) await sleep(500);
    await admin.disconnect();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  log(
    `started a ${nodes}-node KRaft cluster on ${brokers.join(',')} (pids ${members.map((m) => m.child.pid).join(', ')})`,
  );
  return cluster;
}
