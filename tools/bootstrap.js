#!/usr/bin/env node
'use strict';
/**
 * The one part of the tooling that runs before `npm ci` has: only Node built-ins. It installs node_modules when they
 * are missing or older than the lock file, then hands the command over to the TypeScript entry point (tools/hub.ts)
 * through tsx, in this process (so signals and the exit code are the command's own).
 *   node tools/bootstrap.js start|test|demo|kafka|build|dead-letters|bench|chaos [arguments]
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

function log(line) {
  process.stdout.write(`[hub] ${line}\n`);
}

/** npm ci when node_modules is missing or older than the lock file. */
function ensureDependencies() {
  const modules = path.join(ROOT, 'node_modules');
  // A working copy that shares another's node_modules through a symlink must not `npm ci` through it: npm empties
  // the link's target (every copy sharing it loses its packages) and then installs into a new local folder.
  if (fs.existsSync(modules) && fs.lstatSync(modules).isSymbolicLink()) {
    log(
      'node_modules is a symbolic link (shared install): not running npm ci; run it where the link points if packages are stale',
    );
    return;
  }
  const installed = path.join(modules, '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) return;
  log('$ npm ci --no-audit --no-fund');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`[hub] npm ci failed (exit ${result.status})\n`);
    process.exit(result.status || 1);
  }
}

ensureDependencies();
// tsx compiles tools/ and the libs they import on the fly, resolving @hub/* through the root tsconfig's paths.
process.env.TSX_TSCONFIG_PATH = process.env.TSX_TSCONFIG_PATH || path.join(ROOT, 'tsconfig.json');
require('tsx/cjs/api').register();
require('./hub.ts').main(process.argv.slice(2));
