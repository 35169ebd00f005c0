/**
 * The one polling helper: re-runs `check` until it stops throwing (or returns a truthy value), or fails with the
 * last error after `timeoutMs`. Use it for every asynchronous effect instead of a fixed sleep.
 */
export async function expectEventually<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 30000, intervalMs = 200, description = 'condition' } = {},
): Promise<Exclude<T, false | null | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value !== false && value !== undefined && value !== null)
        return value as Exclude<T, false | null | undefined>;
      lastError = new Error(`${description}: check returned ${String(value)}`);
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}: ${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
