import path from 'node:path';
import { register } from 'tsconfig-paths';
import { compilerOptions } from '../tsconfig.json';

// jest loads global setup outside its module registry, where moduleNameMapper does not apply: @hub/* resolves here.
register({ baseUrl: path.join(__dirname, '..'), paths: compilerOptions.paths });

export default async function globalSetup(): Promise<void> {
  if (!process.env.HUB_TEST) {
    throw new Error(
      'Integration tests need the broker, database and environment that `npm test` prepares: run `npm test`.',
    );
  }
  const { startTestServices } = await import('../libs/testing/src/local-hub/test-services');
  await startTestServices();
  process.stdout.write(`\n[test] services up (logs in ${path.join('.hub', 'test-logs')})\n`);
}
