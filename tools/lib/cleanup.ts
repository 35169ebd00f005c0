/** Everything a run (bench, chaos) started, stopped in reverse order exactly once — on success, failure or a signal. */
export interface CleanupRegistry {
  add(name: string, stop: () => unknown): void;
  run(): Promise<void>;
}

export function cleanupRegistry(
  report: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): CleanupRegistry {
  const steps: { name: string; stop: () => unknown }[] = [];
  let running: Promise<void> | null = null;
  return {
    add(name, stop) {
      steps.push({ name, stop });
    },
    run() {
      running ??= (async () => {
        for (const step of steps.reverse()) {
          try {
            await step.stop();
          } catch (error) {
            report(`cleanup ${step.name}: ${(error as Error).message}`);
          }
        }
      })();
      return running;
    },
  };
}
