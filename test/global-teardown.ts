import { stopTestServices } from '../libs/testing/src/local-hub/test-services';

export default async function globalTeardown(): Promise<void> {
  await stopTestServices();
}
