import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compilePreloads } from './compile';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');

/** A stand-in service: sends two statements and a produce call, asks the preload for its counts, prints them. */
const SERVICE = `
const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('pg');
const { Kafka, logLevel } = require('kafkajs');
const client = new Client({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
client.query('SELECT 1').catch(() => undefined);
client.query({ text: 'COMMIT' }).catch(() => undefined);
const producer = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING }).producer();
producer.send({ topic: 'alerts.submitted.v1', messages: [{ value: 'a' }, { value: 'b' }] }).catch(() => undefined);
const dir = process.env.BENCH_COUNT_DIR;
fs.writeFileSync(path.join(dir, 'request'), 'token-1');
const deadline = Date.now() + 5000;
const timer = setInterval(() => {
  const file = path.join(dir, 'stand-in.json');
  if (fs.existsSync(file)) { process.stdout.write(fs.readFileSync(file, 'utf8')); process.exit(0); }
  if (Date.now() > deadline) process.exit(3);
}, 20);
`;

describe('compilePreloads', () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-preload-'));
  afterAll(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('writes plain JavaScript that counts statements and sends inside a process it is --required into', () => {
    const preloads = compilePreloads(outDir);
    expect(fs.readdirSync(outDir).sort()).toEqual([
      'count-preload.js',
      'profile-preload.js',
      'send-hooks.js',
      'variant-preload.js',
    ]);
    const countDir = fs.mkdtempSync(path.join(outDir, 'counts-'));
    const service = path.join(ROOT, '.hub', `preload-stand-in-${process.pid}.js`);
    fs.mkdirSync(path.dirname(service), { recursive: true });
    fs.writeFileSync(service, SERVICE);
    try {
      const run = spawnSync(process.execPath, [service], {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          NODE_OPTIONS: `--require ${preloads.count}`,
          BENCH_COUNT_DIR: countDir,
          BENCH_COUNT_NAME: 'stand-in',
        },
        timeout: 15000,
      });
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({
        token: 'token-1',
        counts: {
          statements: 2,
          commits: 1,
          rollbacks: 0,
          produceCalls: 1,
          messages: 2,
          messagesByTopic: { 'alerts.submitted.v1': 2 },
          // No broker answers here: no request completes and no batch is consumed (the bench run shows them).
          kafkaRequests: {},
          batchSizes: {},
        },
      });
    } finally {
      fs.rmSync(service, { force: true });
    }
  });

  it('switches TLS and metric recording off inside a process only when asked to', () => {
    const preloads = compilePreloads(outDir);
    const service = path.join(ROOT, '.hub', `variant-stand-in-${process.pid}.js`);
    fs.writeFileSync(service, VARIANT_SERVICE);
    const run = (env: Record<string, string>) => {
      const result = spawnSync(process.execPath, [service], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, NODE_OPTIONS: `--require ${preloads.variant}`, ...env },
        timeout: 15000,
      });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return JSON.parse(result.stdout) as { brokers: string[]; ssl: boolean; counted: number; timed: number };
    };
    try {
      expect(run({})).toEqual({ brokers: ['127.0.0.1:1'], ssl: true, counted: 2, timed: 1 });
      expect(run({ BENCH_KAFKA_PLAINTEXT_BROKERS: '127.0.0.1:29094' })).toEqual({
        brokers: ['127.0.0.1:29094'],
        ssl: false,
        counted: 2,
        timed: 1,
      });
      expect(run({ BENCH_METRICS_OFF: '1' })).toEqual({ brokers: ['127.0.0.1:1'], ssl: true, counted: 0, timed: 0 });
    } finally {
      fs.rmSync(service, { force: true });
    }
  });
});

/**
 * A stand-in service: a kafkajs client configured with TLS tries to connect (its socket factory notes where and
 * whether with TLS, then fails), and two metrics are recorded; it prints what the client dialled and what was counted.
 */
const VARIANT_SERVICE = `
const { Kafka, logLevel } = require('kafkajs');
const { Counter, Histogram, Registry } = require('prom-client');
let dialled = null;
const kafka = new Kafka({
  brokers: ['127.0.0.1:1'],
  ssl: { rejectUnauthorized: true },
  logLevel: logLevel.NOTHING,
  retry: { retries: 0 },
  socketFactory: ({ host, port, ssl }) => {
    dialled = { brokers: [host + ':' + port], ssl: Boolean(ssl) };
    throw new Error('no connection in this test');
  },
});
const registry = new Registry();
const counter = new Counter({ name: 'stand_in_total', help: 'h', registers: [registry] });
const histogram = new Histogram({ name: 'stand_in_seconds', help: 'h', registers: [registry] });
counter.inc();
counter.inc();
histogram.startTimer()();
kafka.admin().connect().catch(() => undefined).then(() => Promise.all([counter.get(), histogram.get()])).then(([c, h]) => {
  const count = h.values.find((v) => v.metricName === 'stand_in_seconds_count');
  process.stdout.write(JSON.stringify({
    ...dialled,
    counted: c.values[0] ? c.values[0].value : 0,
    timed: count ? count.value : 0,
  }));
});
`;
