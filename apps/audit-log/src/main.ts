import { runVerifyCli } from '@hub/merkle/verify-cli';

const [command, ...commandArguments] = process.argv.slice(2);

if (command === 'verify') {
  // The auditor's verifier needs only the HTTP API (and optionally a saved checkpoint): no configuration, no
  // database, no Kafka. It shares the binary so that an auditor has one artefact to run, and loads nothing of
  // the service (Nest, TypeORM, kafkajs), so that it starts in a fraction of the time.
  void runVerifyCli(commandArguments).then((exitCode) => process.exit(exitCode));
} else {
  // Required here, not imported at the top: module evaluation is what a verify run must not pay for.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberate lazy load (see above)
  (require('./service') as typeof import('./service')).runAuditLogService();
}
