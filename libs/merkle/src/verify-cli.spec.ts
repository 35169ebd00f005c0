import { Checkpoint } from './checkpoint';
import { FakeAuditLog } from './fake-audit-log.fixture';
import { runVerifyCli, VerifyCliIo } from './verify-cli';

const API_KEY = 'auditor-secret';
const BASE_URL = 'http://audit.test';

/** Runs the CLI against a fake server and an in-memory file system, capturing what it prints and writes. */
async function run(
  log: FakeAuditLog,
  argv: string[],
  files: Record<string, string> = {},
  env: Record<string, string> = {},
) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const written: Record<string, string> = {};
  const io: VerifyCliIo = {
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    env,
    fetch: log.httpFetch(API_KEY),
    readTextFile: async (path) => {
      if (!(path in files)) throw new Error(`ENOENT: ${path}`);
      return files[path];
    },
    writeTextFile: async (path, text) => {
      written[path] = text;
    },
  };
  const exitCode = await runVerifyCli(argv, io);
  return { exitCode, stdout: stdout.join('\n'), stderr: stderr.join('\n'), written };
}

describe('verify CLI', () => {
  let log: FakeAuditLog;
  let saved: Checkpoint;
  let files: Record<string, string>;

  beforeEach(async () => {
    log = await FakeAuditLog.withEntries(40);
    saved = log.latestCheckpoint;
    await log.append(24);
    files = { 'log-key.pem': log.publicKeyPem, 'saved.json': JSON.stringify(saved) };
  });

  it('exits 0 and says VERIFIED for an untouched log, then saves the latest checkpoint', async () => {
    const result = await run(
      log,
      [
        '--url',
        BASE_URL,
        '--key',
        API_KEY,
        '--public-key',
        'log-key.pem',
        '--checkpoint',
        'saved.json',
        '--save-checkpoint=next.json',
      ],
      files,
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/VERIFIED/);
    expect(result.stdout).toMatch(/entries checked: +64/);
    expect(JSON.parse(result.written['next.json'])).toEqual(log.latestCheckpoint);
    expect(result.stderr).toBe('');
  });

  it('exits 1, names the first bad entry and refuses to save a checkpoint when an entry was altered', async () => {
    const item = log.served[5];
    log.served[5] = { ...item, entry: { ...(item.entry as object), recipient: 'UZ-NSS' } };
    const result = await run(
      log,
      [
        '--url',
        BASE_URL,
        '--key',
        API_KEY,
        '--public-key',
        'log-key.pem',
        '--checkpoint',
        'saved.json',
        '--save-checkpoint',
        'next.json',
      ],
      files,
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/VERIFICATION FAILED/);
    expect(result.stdout).toMatch(/first bad entry: +seq 5/);
    expect(result.stdout).toMatch(/PROBLEM: .*seq 5/);
    expect(result.written).toEqual({});
    expect(result.stderr).toMatch(/not saving/);
  });

  it('takes the key from AUDITOR_KEY', async () => {
    const result = await run(log, ['--url', BASE_URL, '--public-key', 'log-key.pem'], files, { AUDITOR_KEY: API_KEY });
    expect(result.exitCode).toBe(0);
  });

  it('warns loudly when it has to trust the key the server publishes', async () => {
    const result = await run(log, ['--url', BASE_URL, '--key', API_KEY], files);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/WARNING.*taken from the server itself/);
  });

  it('fails against a log whose checkpoint was signed by a key other than the pinned one', async () => {
    const impostor = await FakeAuditLog.withEntries(64);
    const result = await run(log, ['--url', BASE_URL, '--key', API_KEY, '--public-key', 'impostor.pem'], {
      'impostor.pem': impostor.publicKeyPem,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/trusted key is/);
  });

  it.each([
    [['--key', API_KEY], /--url is required/],
    [['--url', BASE_URL], /auditor key is required/],
    [['--url', 'not a url', '--key', API_KEY], /is not a URL/],
    [['--url', BASE_URL, '--key'], /--key needs a value/],
    [['--url', BASE_URL, '--key', API_KEY, '--verbose'], /unknown argument "--verbose"/],
  ])('exits 1 with usage for bad arguments %j', async (argv, message) => {
    const result = await run(log, argv, files);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/Usage: verify/);
  });

  it('exits 1 with the reason when the server refuses the key or a file is missing', async () => {
    const refused = await run(log, ['--url', BASE_URL, '--key', 'wrong', '--public-key', 'log-key.pem'], files);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/could not complete verification: .*401/);
    const missing = await run(log, ['--url', BASE_URL, '--key', API_KEY, '--public-key', 'nope.pem'], files);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/ENOENT: nope.pem/);
  });

  it('prints usage and exits 0 for --help', async () => {
    const result = await run(log, ['--help']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/--save-checkpoint/);
  });
});
