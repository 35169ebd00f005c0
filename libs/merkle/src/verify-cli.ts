import { readFile, writeFile } from 'node:fs/promises';
import { Checkpoint, loadEd25519PublicKey, parseCheckpoint } from './checkpoint';
import { hashFromHex } from './hashing';
import { verifyConsistency } from './proof-verification';
import { createHttpAuditLogSource, HttpAuditLogSource, VerifyLogResult, verifyLog } from './verify';
import { checkVisibilityAnswer, deriveVisibility, VisibilityAnswerPage, VisibilityFact } from './visibility';

export const VERIFY_USAGE = `Usage: verify --url <audit-log base URL> [--key <auditor key>] [--public-key <pem file>]
              [--checkpoint <saved.json>] [--save-checkpoint <out.json>] [--visibility <agency> --at <instant>]

  --url              base URL of the audit-log service, e.g. http://localhost:3002
  --key              auditor API key (default: the AUDITOR_KEY environment variable)
  --public-key       the log's Ed25519 checkpoint key (SPKI PEM), obtained out of band
  --checkpoint       a checkpoint saved by an earlier run; the log must still extend it
  --save-checkpoint  where to write the latest checkpoint when verification succeeds
  --visibility, --at also check GET /v1/audit/visibility for that agency and instant: signed by the pinned key,
                     consistent with the saved checkpoint, every fact included, the items exactly what the facts
                     say, and no fact about the agency left out (against the whole verified log)

Exit code 0 when the log verifies, 1 otherwise.`;

export interface VerifyCliIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
  readTextFile: (path: string) => Promise<string>;
  writeTextFile: (path: string, text: string) => Promise<void>;
}

interface VerifyCliArguments {
  url: string;
  key: string;
  publicKeyFile?: string;
  checkpointFile?: string;
  saveCheckpointFile?: string;
  visibility?: string;
  at?: string;
}

const FLAG_TO_FIELD: Record<string, keyof VerifyCliArguments> = {
  '--url': 'url',
  '--key': 'key',
  '--public-key': 'publicKeyFile',
  '--checkpoint': 'checkpointFile',
  '--save-checkpoint': 'saveCheckpointFile',
  '--visibility': 'visibility',
  '--at': 'at',
};

/** `argv` is the arguments after the script name (process.argv.slice(2)); resolves to the exit code. */
export async function runVerifyCli(argv: readonly string[], io: Partial<VerifyCliIo> = {}): Promise<number> {
  const out = io.stdout ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = io.stderr ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = io.env ?? process.env;
  const readTextFile = io.readTextFile ?? ((path: string) => readFile(path, 'utf8'));
  const writeTextFile = io.writeTextFile ?? ((path: string, text: string) => writeFile(path, text, 'utf8'));

  if (argv.includes('--help') || argv.includes('-h')) {
    out(VERIFY_USAGE);
    return 0;
  }
  const parsed = parseArguments(argv, env);
  if (typeof parsed === 'string') {
    err(`verify: ${parsed}`);
    err(VERIFY_USAGE);
    return 1;
  }

  try {
    const source = createHttpAuditLogSource({ baseUrl: parsed.url, apiKey: parsed.key, fetch: io.fetch });
    let publicKeyPem: string;
    if (parsed.publicKeyFile) {
      publicKeyPem = await readTextFile(parsed.publicKeyFile);
    } else {
      err(
        'verify: WARNING no --public-key given, so the key is taken from the server itself. A server that ' +
          'rewrote the log can also replace its key: pin the key out of band for a verification that means anything.',
      );
      publicKeyPem = await source.fetchPublicKeyPem();
    }
    let savedCheckpoint: Checkpoint | undefined;
    if (parsed.checkpointFile) {
      savedCheckpoint = parseCheckpoint(JSON.parse(await readTextFile(parsed.checkpointFile)));
    }

    const result = await verifyLog({ source, publicKeyPem, savedCheckpoint });
    printResult(result, parsed.url, savedCheckpoint, out);

    if (parsed.saveCheckpointFile) {
      if (result.ok) {
        await writeTextFile(parsed.saveCheckpointFile, `${JSON.stringify(result.latestCheckpoint, null, 2)}\n`);
        out(`Saved checkpoint (size ${result.latestCheckpoint.treeSize}) to ${parsed.saveCheckpointFile}`);
      } else {
        err(`verify: not saving a checkpoint from a log that failed verification`);
      }
    }
    let visibilityOk = true;
    if (parsed.visibility && parsed.at) {
      visibilityOk = await checkVisibility(source, io.fetch ?? fetch, parsed, publicKeyPem, savedCheckpoint, out);
    }
    return result.ok && visibilityOk ? 0 : 1;
  } catch (error) {
    err(`verify: could not complete verification: ${(error as Error).message}`);
    return 1;
  }
}

function parseArguments(argv: readonly string[], env: Record<string, string | undefined>): VerifyCliArguments | string {
  const values: Partial<VerifyCliArguments> = {};
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inlineValue] = argv[i].includes('=') ? splitOnce(argv[i], '=') : [argv[i], undefined];
    const field = FLAG_TO_FIELD[flag];
    if (!field) return `unknown argument ${JSON.stringify(argv[i])}`;
    const value = inlineValue ?? argv[++i];
    if (value === undefined || value === '') return `${flag} needs a value`;
    values[field] = value;
  }
  if ((values.visibility === undefined) !== (values.at === undefined)) return '--visibility and --at go together';
  if (values.at !== undefined && Number.isNaN(Date.parse(values.at)))
    return `--at ${JSON.stringify(values.at)} is not an instant`;
  const key = values.key ?? env.AUDITOR_KEY;
  if (!values.url) return '--url is required';
  if (!key) return 'an auditor key is required: --key or AUDITOR_KEY';
  try {
    new URL(values.url);
  } catch {
    return `--url ${JSON.stringify(values.url)} is not a URL`;
  }
  return { ...values, url: values.url, key };
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return [text.slice(0, at), text.slice(at + separator.length)];
}

function printResult(
  result: VerifyLogResult,
  url: string,
  saved: Checkpoint | undefined,
  out: (line: string) => void,
): void {
  const latest = result.latestCheckpoint;
  out(`Audit log ${url}: ${result.ok ? 'VERIFIED' : 'VERIFICATION FAILED'}`);
  if (result.firstBadSeq !== undefined) out(`  first bad entry:     seq ${result.firstBadSeq}`);
  out(`  entries checked:     ${result.checkedEntries}`);
  out(`  rebuilt root:        ${result.root} (size ${result.treeSize})`);
  out(`  latest checkpoint:   size ${latest.treeSize}, root ${latest.rootHash}`);
  out(`                       signed ${latest.timestamp} by key ${latest.keyId}`);
  if (saved) out(`  saved checkpoint:    size ${saved.treeSize}, root ${saved.rootHash}, signed ${saved.timestamp}`);
  for (const problem of result.problems) out(`  PROBLEM: ${problem}`);
  for (const note of result.notes) out(`  note: ${note}`);
}

/** Every page of GET /v1/audit/visibility for the agency at the instant, all proven against the first page's tree. */
async function fetchVisibility(
  baseUrl: string,
  apiKey: string,
  fetchImpl: typeof fetch,
  agency: string,
  at: string,
): Promise<VisibilityAnswerPage[]> {
  const pages: VisibilityAnswerPage[] = [];
  let after: string | null = null;
  do {
    const url = new URL(`${baseUrl.replace(/\/+$/, '')}/v1/audit/visibility`);
    url.searchParams.set('agency', agency);
    url.searchParams.set('at', at);
    if (after !== null && pages.length > 0) {
      url.searchParams.set('after', after);
      url.searchParams.set('treeSize', String(pages[0].checkpoint.treeSize));
    }
    const response = await fetchImpl(url, { headers: { authorization: `Bearer ${apiKey}` } });
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    const page = (await response.json()) as VisibilityAnswerPage;
    pages.push(page);
    after = page.nextCursor;
  } while (after !== null);
  return pages;
}

async function checkVisibility(
  source: HttpAuditLogSource,
  fetchImpl: typeof fetch,
  args: VerifyCliArguments,
  publicKeyPem: string,
  saved: Checkpoint | undefined,
  out: (line: string) => void,
): Promise<boolean> {
  const agency = args.visibility as string;
  const at = new Date(args.at as string).toISOString();
  const pages = await fetchVisibility(args.url, args.key, fetchImpl, agency, at);
  const checkpoint = parseCheckpoint(pages[0].checkpoint);
  // The whole log up to the answer's tree, to see that nothing about the agency was left out.
  const logEntries: VisibilityFact[] = [];
  if (source.streamEntries) {
    for await (const batch of source.streamEntries()) {
      for (const item of batch)
        if (item.seq < checkpoint.treeSize && typeof item.entryText === 'string')
          logEntries.push({ seq: item.seq, entry: item.entryText });
      if (batch.length > 0 && batch[batch.length - 1].seq >= checkpoint.treeSize - 1) break;
    }
  }
  const problems = checkVisibilityAnswer(pages, {
    publicKey: loadEd25519PublicKey(publicKeyPem),
    agency,
    at,
    logEntries: source.streamEntries ? logEntries : undefined,
  });
  if (saved) {
    if (saved.treeSize > checkpoint.treeSize)
      problems.push(
        `the answer's checkpoint (size ${checkpoint.treeSize}) is older than the saved one (${saved.treeSize})`,
      );
    else {
      const proof = await source.fetchConsistencyProof(saved.treeSize, checkpoint.treeSize);
      if (
        !verifyConsistency(
          saved.treeSize,
          checkpoint.treeSize,
          hashFromHex(saved.rootHash),
          hashFromHex(checkpoint.rootHash),
          proof.map(hashFromHex),
        )
      ) {
        problems.push("the answer's checkpoint does not extend the saved checkpoint");
      }
    }
  }
  const items = deriveVisibility(
    pages.flatMap((p) => p.facts),
    agency,
    at,
  );
  out(`Visibility of ${agency} at ${at}: ${problems.length === 0 ? 'VERIFIED' : 'VERIFICATION FAILED'}`);
  out(
    `  proven against:      checkpoint size ${checkpoint.treeSize}, root ${checkpoint.rootHash}, signed ${checkpoint.timestamp}`,
  );
  out(
    `  entitled ${items.entitled.length}, delivered ${items.delivered.length}, read ${items.read.length}, denied ${items.denied.length} (${pages.flatMap((p) => p.facts).length} facts)`,
  );
  for (const problem of problems) out(`  PROBLEM: ${problem}`);
  return problems.length === 0;
}
