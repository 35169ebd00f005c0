import { spawnSync, SpawnSyncOptions } from 'node:child_process';
import { ROOT } from '@hub/testing/local-hub';

export function log(line: string): void {
  process.stdout.write(`[hub] ${line}\n`);
}

/** A command failed: its exit code becomes the tool's. */
export class CommandFailed extends Error {
  constructor(
    command: string,
    readonly exitCode: number,
  ) {
    super(`${command} failed (exit ${exitCode})`);
  }
}

/** Runs a command at the root, its output on ours; throws CommandFailed unless it exits 0. */
export function run(command: string, args: string[], options: SpawnSyncOptions = {}): void {
  log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.status !== 0) throw new CommandFailed(`${command} ${args.join(' ')}`, result.status || 1);
}
