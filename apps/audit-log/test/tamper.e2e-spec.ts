import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import {
  appendLeaves,
  auditEntryLeafHash,
  canonicalJson,
  Checkpoint,
  generateCheckpointKeyPair,
  hashToHex,
  keyIdFor,
  nodeHash,
  rootAt,
  signCheckpoint,
  verifyEntries,
  loadEd25519PublicKey,
  verifyLogOverHttp,
  VerifyLogResult,
} from '@hub/merkle';
import { expectEventually } from '@hub/testing';
import { APPEND_LOCK_SQL } from '../src/log/audit-log.writer';
import { PostgresMerkleNodeStore, SqlRunner } from '../src/log/postgres-node-store';
import {
  allEntries,
  asSuperuser,
  asVerifierPage,
  Auditor,
  auditGet,
  checkpoint,
  CONSUMED_WITHIN_MS,
  env,
  newAuditor,
} from './audit-test-support';

const MAIN_JS = path.resolve(__dirname, '..', '..', '..', 'dist', 'apps', 'audit-log', 'main.js');
const TRIGGERS = {
  entries: 'entries_refuse_change',
  merkle_nodes: 'merkle_nodes_refuse_change',
} as const;

function rows(db: Client): SqlRunner {
  return { query: async (sql, params) => (await db.query(sql, params as unknown[])).rows };
}

/**
 * What a rogue superuser does, in one transaction: the append lock first (like the service, so neither waits for
 * the other in the wrong order), the append-only triggers off only inside this transaction, and back on before
 * commit, so nobody else ever sees them disabled.
 */
async function asRogueSuperuser(
  tables: ReadonlyArray<keyof typeof TRIGGERS>,
  work: (db: Client) => Promise<void>,
): Promise<void> {
  await asSuperuser(async (db) => {
    await db.query('BEGIN');
    try {
      await db.query(APPEND_LOCK_SQL);
      for (const table of tables) await db.query(`ALTER TABLE audit.${table} DISABLE TRIGGER ${TRIGGERS[table]}`);
      await work(db);
      for (const table of tables) await db.query(`ALTER TABLE audit.${table} ENABLE ALWAYS TRIGGER ${TRIGGERS[table]}`);
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK');
      throw error;
    }
  });
}

async function storedEntry(seq: number): Promise<string> {
  return asSuperuser(
    async (db) => (await db.query(`SELECT entry FROM audit.entries WHERE seq = $1`, [seq])).rows[0].entry,
  );
}

/** The entry text with one character of its type changed, still valid JSON: the smallest meaningful edit. */
function withOneByteChanged(entryText: string): string {
  const at = entryText.indexOf('"type":"') + '"type":"'.length;
  const changed = entryText[at] === 'a' ? 'b' : 'a';
  const edited = entryText.slice(0, at) + changed + entryText.slice(at + 1);
  expect(Buffer.byteLength(edited)).toBe(Buffer.byteLength(entryText));
  JSON.parse(edited);
  return edited;
}

describe('tampering with the log as the database superuser, against a checkpoint saved first', () => {
  let auditor: Auditor;
  let publicKeyPem: string;
  let saved: Checkpoint;
  let workDir: string;

  const verify = (savedCheckpoint: Checkpoint = saved): Promise<VerifyLogResult> =>
    verifyLogOverHttp({ baseUrl: env.audit, apiKey: auditor.key, publicKeyPem, savedCheckpoint });

  function runVerifyCommand(...extra: string[]) {
    const result = spawnSync(
      process.execPath,
      [
        MAIN_JS,
        'verify',
        '--url',
        env.audit,
        '--key',
        auditor.key,
        '--public-key',
        path.join(workDir, 'log-key.pem'),
        ...extra,
      ],
      { encoding: 'utf8', timeout: 120000, env: { PATH: process.env.PATH } },
    );
    return { exitCode: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  beforeAll(async () => {
    auditor = await newAuditor();
    const published = await auditGet(auditor.key, '/v1/audit/public-key');
    publicKeyPem = published.body.publicKeyPem;
    // The auditor pins the key: every checkpoint must name it.
    expect(published.body.keyId).toBe(keyIdFor(loadEd25519PublicKey(publicKeyPem)));
    saved = await expectEventually(
      async () => {
        const latest = await checkpoint(auditor.key);
        return latest.treeSize >= 20 ? latest : false;
      },
      { timeoutMs: CONSUMED_WITHIN_MS, description: 'a log of at least 20 entries' },
    );
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-tamper-'));
    fs.writeFileSync(path.join(workDir, 'log-key.pem'), publicKeyPem);
    fs.writeFileSync(path.join(workDir, 'saved.json'), JSON.stringify(saved));
    expect((await verify()).ok).toBe(true);
  }, 240_000);

  afterAll(async () => {
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    // Whatever happened above, the triggers are back and the log verifies against the checkpoint saved first.
    const triggers = await asSuperuser(
      async (db) =>
        (await db.query(`SELECT tgname, tgenabled FROM pg_trigger WHERE tgname LIKE '%\\_refuse\\_%' ORDER BY tgname`))
          .rows,
    );
    // Two per append-only table: the four log tables and the subjects index.
    expect(triggers).toHaveLength(10);
    for (const trigger of triggers) expect(trigger.tgenabled).toBe('A');
  });

  it('detects one changed byte in an entry and names it; the verify command exits 1 naming it too', async () => {
    const seq = Math.floor(saved.treeSize / 2);
    const original = await storedEntry(seq);
    await asRogueSuperuser(['entries'], (db) =>
      db
        .query(`UPDATE audit.entries SET entry = $2 WHERE seq = $1`, [seq, withOneByteChanged(original)])
        .then(() => undefined),
    );
    try {
      const result = await verify();
      expect(result.ok).toBe(false);
      expect(result.firstBadSeq).toBe(seq);
      expect(result.problems.join('\n')).toMatch(new RegExp(`saved checkpoint.*seq ${seq}\\b`));

      const command = runVerifyCommand(
        '--checkpoint',
        path.join(workDir, 'saved.json'),
        '--save-checkpoint',
        path.join(workDir, 'next.json'),
      );
      expect(command.exitCode).toBe(1);
      expect(command.stdout).toMatch(/VERIFICATION FAILED/);
      expect(command.stdout).toMatch(new RegExp(`first bad entry: +seq ${seq}\\b`));
      expect(fs.existsSync(path.join(workDir, 'next.json'))).toBe(false);
    } finally {
      await asRogueSuperuser(['entries'], (db) =>
        db.query(`UPDATE audit.entries SET entry = $2 WHERE seq = $1`, [seq, original]).then(() => undefined),
      );
    }
    expect((await verify()).ok).toBe(true);
  });

  it('detects a deleted entry and names its position', async () => {
    const seq = Math.floor(saved.treeSize / 3);
    const [row] = await asSuperuser(
      async (db) => (await db.query(`SELECT * FROM audit.entries WHERE seq = $1`, [seq])).rows,
    );
    await asRogueSuperuser(['entries'], (db) =>
      db.query(`DELETE FROM audit.entries WHERE seq = $1`, [seq]).then(() => undefined),
    );
    try {
      const result = await verify();
      expect(result.ok).toBe(false);
      expect(result.firstBadSeq).toBe(seq);
      expect(result.problems[0]).toMatch(new RegExp(`expected seq ${seq} next but the log served ${seq + 1}`));
    } finally {
      const columns = Object.keys(row);
      await asSuperuser((db) =>
        db.query(
          `INSERT INTO audit.entries (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
          columns.map((column) => row[column]),
        ),
      );
    }
    expect((await verify()).ok).toBe(true);
  });

  it('detects two entries swapped and names the first', async () => {
    const seq = Math.floor(saved.treeSize / 4);
    const swap = (db: Client) =>
      db
        .query(
          `UPDATE audit.entries SET seq = 9000000000000000 WHERE seq = $1;
           UPDATE audit.entries SET seq = $1 WHERE seq = $1 + 1;
           UPDATE audit.entries SET seq = $1 + 1 WHERE seq = 9000000000000000;`.replace(/\$1/g, String(seq)),
        )
        .then(() => undefined);
    await asRogueSuperuser(['entries'], swap);
    try {
      const result = await verify();
      expect(result.ok).toBe(false);
      expect(result.firstBadSeq).toBe(seq);
    } finally {
      await asRogueSuperuser(['entries'], swap);
    }
    expect((await verify()).ok).toBe(true);
  });

  it('catches an edited entry even when its leaf and Merkle path were recomputed to match', async () => {
    const seq = 1;
    const original = await storedEntry(seq);
    const edited = withOneByteChanged(original);
    const originalNodes: Array<{ level: number; idx: number; hash: Buffer }> = [];
    const rewrite = async (db: Client, text: string, restoreNodes: boolean) => {
      await db.query(`UPDATE audit.entries SET entry = $2 WHERE seq = $1`, [seq, text]);
      // Recompute every stored node on the path from the leaf up, as a careful forger would.
      for (let level = 0, index = seq; ; level += 1, index = Math.floor(index / 2)) {
        const {
          rows: [node],
        } = await db.query(`SELECT hash FROM audit.merkle_nodes WHERE level = $1 AND idx = $2`, [level, index]);
        if (!node) break;
        let hash: Buffer;
        if (restoreNodes) hash = originalNodes.find((n) => n.level === level)!.hash;
        else {
          originalNodes.push({ level, idx: index, hash: node.hash });
          hash =
            level === 0
              ? auditEntryLeafHash(JSON.parse(text))
              : nodeHash(
                  (
                    await db.query(`SELECT hash FROM audit.merkle_nodes WHERE level = $1 AND idx = $2`, [
                      level - 1,
                      2 * index,
                    ])
                  ).rows[0].hash,
                  (
                    await db.query(`SELECT hash FROM audit.merkle_nodes WHERE level = $1 AND idx = $2`, [
                      level - 1,
                      2 * index + 1,
                    ])
                  ).rows[0].hash,
                );
        }
        await db.query(`UPDATE audit.merkle_nodes SET hash = $3 WHERE level = $1 AND idx = $2`, [level, index, hash]);
      }
    };
    await asRogueSuperuser(['entries', 'merkle_nodes'], (db) => rewrite(db, edited, false));
    try {
      // The service notices that the tree no longer has the root it sealed, and signs nothing.
      const refused = await auditGet(auditor.key, '/v1/audit/checkpoint');
      expect(refused.status).toBe(500);
      expect(refused.body.message).toMatch(/integrity check/);
      // The served entries are self-consistent now, but cannot reproduce the root the auditor saved earlier.
      const served = await allEntries(auditor.key);
      expect(served.find((item) => item.seq === seq)!.leafHash).toBe(hashToHex(auditEntryLeafHash(JSON.parse(edited))));
      const result = await verifyEntries({
        entryPages: [asVerifierPage(served.filter((item) => item.seq < saved.treeSize))],
        latestCheckpoint: saved,
        savedCheckpoint: saved,
        publicKey: loadEd25519PublicKey(publicKeyPem),
      });
      expect(result.ok).toBe(false);
      expect(result.problems.join('\n')).toMatch(/do not reproduce the saved checkpoint/);
    } finally {
      await asRogueSuperuser(['entries', 'merkle_nodes'], (db) => rewrite(db, original, true));
    }
    expect((await checkpoint(auditor.key)).treeSize).toBeGreaterThanOrEqual(saved.treeSize);
    expect((await verify()).ok).toBe(true);
  });

  it('never certifies a forged entry appended behind its back, and a checkpoint forged without the key fails verification', async () => {
    const forgedEntry = {
      eventId: `forged-${Date.now()}`,
      type: 'alert.acked',
      at: new Date().toISOString(),
      actor: { agencyId: 'TJ-DCA', role: 'agency' },
      alertId: '00000000-0000-4000-8000-000000000000',
      version: 1,
      reason: 'actioned',
      details: {},
    };
    let forgedSeq = -1;
    let forgedNodes: Array<{ level: number; index: number }> = [];
    await asRogueSuperuser([], async (db) => {
      const {
        rows: [{ size }],
      } = await db.query(`SELECT max(tree_size)::int AS size FROM audit.tree_heads`);
      forgedSeq = size;
      await db.query(`INSERT INTO audit.entries (seq, event_id, type, alert_id, entry) VALUES ($1, $2, $3, $4, $5)`, [
        forgedSeq,
        forgedEntry.eventId,
        forgedEntry.type,
        forgedEntry.alertId,
        canonicalJson(forgedEntry),
      ]);
      const store = new PostgresMerkleNodeStore(rows(db));
      const nodes = await appendLeaves(store, forgedSeq, [auditEntryLeafHash(forgedEntry)]);
      await store.insert(nodes);
      forgedNodes = nodes.map(({ level, index }) => ({ level, index }));
    });
    try {
      const refused = await auditGet(auditor.key, '/v1/audit/checkpoint');
      expect(refused.status).toBe(500);
      expect(refused.body.message).toMatch(
        new RegExp(`entries from seq ${forgedSeq} on were not appended by this service`),
      );
      await expect(verify()).rejects.toMatchObject({ status: 500 });

      // Without the signing key, the forger can only reuse a genuine signature or sign with a key of their own.
      const served = (await allEntries(auditor.key)).filter((item) => item.seq <= forgedSeq);
      expect(served[served.length - 1]).toMatchObject({ seq: forgedSeq, entry: forgedEntry });
      const forgedRoot = await asSuperuser((db) => rootAt(new PostgresMerkleNodeStore(rows(db)), forgedSeq + 1));
      const genuine = (
        await asSuperuser((db) => db.query(`SELECT signature FROM audit.tree_heads WHERE tree_size = $1`, [forgedSeq]))
      ).rows[0];
      const reusedSignature: Checkpoint = {
        ...saved,
        treeSize: forgedSeq + 1,
        rootHash: hashToHex(forgedRoot),
        signature: genuine.signature,
      };
      const forger = generateCheckpointKeyPair();
      const ownKey = signCheckpoint(
        forger.privateKey,
        keyIdFor(forger.publicKey),
        forgedSeq + 1,
        forgedRoot,
        new Date(),
      );
      for (const [forged, complaint] of [
        [reusedSignature, /latest checkpoint \(size \d+\) does not carry a valid signature/],
        [ownKey, /latest checkpoint names signing key .* but the trusted key is/],
      ] as const) {
        const result = await verifyEntries({
          entryPages: [asVerifierPage(served)],
          latestCheckpoint: forged,
          savedCheckpoint: saved,
          publicKey: loadEd25519PublicKey(publicKeyPem),
        });
        expect(result.ok).toBe(false);
        expect(result.problems.join('\n')).toMatch(complaint);
      }
    } finally {
      await asRogueSuperuser(['entries', 'merkle_nodes'], async (db) => {
        await db.query(`DELETE FROM audit.entries WHERE seq = $1 AND event_id = $2`, [forgedSeq, forgedEntry.eventId]);
        for (const { level, index } of forgedNodes)
          await db.query(`DELETE FROM audit.merkle_nodes WHERE level = $1 AND idx = $2`, [level, index]);
      });
    }
    // Appending resumes where it stopped: the queries above are recorded after the restored tree.
    const resumed = await expectEventually(
      async () => {
        const latest = await checkpoint(auditor.key);
        return latest.treeSize > forgedSeq ? latest : false;
      },
      { timeoutMs: CONSUMED_WITHIN_MS, description: 'appending resumed after the forged entry was removed' },
    );
    expect(resumed.treeSize).toBeGreaterThan(forgedSeq);
    const atForgedSeq = (await allEntries(auditor.key)).find((item) => item.seq === forgedSeq);
    expect(atForgedSeq).toBeDefined();
    expect(atForgedSeq!.entry).not.toEqual(forgedEntry);
    expect((await verify()).ok).toBe(true);
  });

  it('the verify command exits 0 on the restored log and saves the new checkpoint', async () => {
    const command = runVerifyCommand(
      '--checkpoint',
      path.join(workDir, 'saved.json'),
      '--save-checkpoint',
      path.join(workDir, 'next.json'),
    );
    expect(command.stderr).toBe('');
    expect(command.exitCode).toBe(0);
    expect(command.stdout).toMatch(/VERIFIED/);
    const next = JSON.parse(fs.readFileSync(path.join(workDir, 'next.json'), 'utf8')) as Checkpoint;
    expect(next.treeSize).toBeGreaterThanOrEqual(saved.treeSize);
  });
});
