/**
 * CPU per consumed AlertSubmittedMessage: the old validation (class-transformer + class-validator, as
 * KafkaMessageHandler ran it) against the compiled schema. A tool run by hand, never in tests (no timed assertions):
 *
 *   npx tsx --tsconfig tsconfig.json libs/contracts/src/compiled-validation.bench.ts [messages=10000] [rounds=5]
 *
 * Each way parses the same JSON bytes (as the batch consumer hands them over) and validates them; JSON.parse alone is
 * measured too, so the validation's own share can be read off. CPU time (user + system) of this process, median of
 * the rounds, after a warm-up. Figures are in docs/decisions/009-hot-path.md.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { validPlainAlert } from './alert/alert.fixtures';
import { stampCanonicalIdentifiers, Subject } from './alert/subjects';
import { CompiledValidator, compiledValidatorFor } from './compiled-validation';
import { iso6346CheckDigit } from './domain/iso6346';
import { AlertSubmittedMessage } from './messages';

const MESSAGES = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 5);

/** The benchmark's alert (libs/testing alertBody): a container and a consignment, two recipients, canonical stamped. */
function typicalAlert(index: number): Record<string, unknown> {
  const serial = String(index % 1_000_000).padStart(6, '0');
  const subjects = [
    { type: 'container', number: `BNCU${serial}${iso6346CheckDigit(`BNCU${serial}`)}` },
    { type: 'consignment', substance: 'heroin', quantityKg: 12.5 },
  ];
  stampCanonicalIdentifiers(subjects as Subject[]);
  return {
    status: 'exercise',
    category: 'seizure',
    urgency: 'immediate',
    severity: 'severe',
    certainty: 'observed',
    headline: `Test seizure ${randomUUID().slice(0, 8)}`,
    description: 'Heroin found in a false floor of a truck trailer.',
    tlp: 'AMBER',
    handlingCode: 'H1',
    evaluation: { source: 'B', information: 2 },
    distribution: { scope: 'restricted', recipients: ['KG-BS', 'UZ-NCDC'], sharingGroups: [] },
    location: { country: 'TJ', place: 'Nizhny Pyanj' },
    subjects,
    references: [],
  };
}

/** The fixture alert: one subject of every type. */
function richAlert(): Record<string, unknown> {
  const alert = validPlainAlert();
  stampCanonicalIdentifiers(alert.subjects as Subject[]);
  return alert;
}

function payloads(alert: (index: number) => Record<string, unknown>): Buffer[] {
  return Array.from({ length: MESSAGES }, (_, index) =>
    Buffer.from(
      JSON.stringify({
        messageId: randomUUID(),
        kind: 'alert',
        alertId: randomUUID(),
        version: 1,
        sender: 'TJ-DCA',
        senderKeyId: randomUUID(),
        receivedAt: new Date(Date.UTC(2026, 11, 7, 5, 0, index % 60)).toISOString(),
        alert: alert(index),
      }),
    ),
  );
}

type Way = (payload: Buffer) => Promise<void> | void;

const compiled = compiledValidatorFor(AlertSubmittedMessage) as CompiledValidator<AlertSubmittedMessage>;
const WAYS: Record<string, Way> = {
  'JSON.parse only': (payload) => {
    JSON.parse(payload.toString());
  },
  'class-transformer + class-validator': async (payload) => {
    const instance = plainToInstance(AlertSubmittedMessage, JSON.parse(payload.toString()) as object);
    const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: false });
    if (errors.length > 0) throw new Error('a valid payload was refused');
  },
  'compiled schema (ajv)': (payload) => {
    if (!compiled.parse(JSON.parse(payload.toString())).ok) throw new Error('a valid payload was refused');
  },
};

async function cpuMicrosPerMessage(way: Way, batch: Buffer[]): Promise<number> {
  const start = process.cpuUsage();
  for (const payload of batch) await way(payload);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / batch.length;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  for (const [shape, alert] of [
    ['benchmark alert (2 subjects)', typicalAlert],
    ['fixture alert (6 subjects)', richAlert],
  ] as const) {
    const batch = payloads(alert);
    for (const way of Object.values(WAYS)) await cpuMicrosPerMessage(way, batch.slice(0, 2000)); // warm-up
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(WAYS).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, way] of Object.entries(WAYS)) samples[name].push(await cpuMicrosPerMessage(way, batch));
    }
    process.stdout.write(`${shape}, ${MESSAGES} messages, median of ${ROUNDS} rounds, CPU per message:\n`);
    for (const [name, values] of Object.entries(samples))
      process.stdout.write(`  ${name.padEnd(38)} ${median(values).toFixed(1).padStart(7)} µs\n`);
  }
}

void main();
