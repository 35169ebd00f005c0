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
    expect(fs.readdirSync(outDir).sort()).toEqual(['count-preload.js', 'profile-preload.js', 'send-hooks.js']);
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
        },
      });
    } finally {
      fs.rmSync(service, { force: true });
    }
  });
});
