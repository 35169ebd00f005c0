import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { CHROMIUM } from '@hub/testing/browser';
import { log, run } from './run';

const INSTALL = 'apt-get install -y chromium';

/**
 * The browser tests drive Debian's Chromium (libs/testing/src/browser.ts). When it is missing: installed with apt-get
 * when we are root (as CI is), otherwise the run stops at once naming the one command to run. `required: false` (a
 * selection of tests) only warns, since the selection may hold no browser test.
 */
export function ensureChromium({ required }: { required: boolean }): void {
  if (fs.existsSync(CHROMIUM)) return;
  const root = process.getuid?.() === 0;
  const hasAptGet = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!required) {
    log(`warning: no Chromium at ${CHROMIUM}: browser tests in this selection will fail (install it: sudo ${INSTALL})`);
    return;
  }
  if (!root || !hasAptGet) {
    process.stderr.write(
      `[hub] the browser tests need Debian's Chromium at ${CHROMIUM}, which is missing. Install it, then run npm test again:\n\n    sudo ${INSTALL}\n\n`,
    );
    process.exit(1);
  }
  log(`installing Debian's chromium for the browser tests (${CHROMIUM} is missing)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', 'chromium'], { env });
  if (!fs.existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium, but ${CHROMIUM} is still missing`);
}
