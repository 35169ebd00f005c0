import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import * as fc from 'fast-check';
import type { SchemaObject } from 'ajv';
import { minimalPlainAlert, validPlainAlert } from './alert/alert.fixtures';
import {
  ALERT_CATEGORIES,
  ALERT_STATUSES,
  CERTAINTIES,
  DISTRIBUTION_SCOPES,
  HANDLING_CODES,
  INFORMATION_ASSESSMENTS,
  SEVERITIES,
  SOURCE_RELIABILITIES,
  SUBJECT_TYPES,
  TLP_LEVELS,
  URGENCIES,
} from './alert/enums';
import { flattenValidationErrors, skippedKeyPaths } from './alert/validate';
import { AUDIT_EVENT_TYPES, AuditEvent, ROLES } from './audit-event';
import { AUDIT_EVENT_SCHEMA } from './audit-event.schema';
import {
  COMPILED_MESSAGE_CLASSES,
  compileContractSchema,
  CompiledValidator,
  compiledValidatorFor,
} from './compiled-validation';
import {
  normaliseContainerNumber,
  normaliseDocumentNumber,
  normaliseImo,
  normalisePhone,
  normalisePlate,
} from './domain/identifiers';
import {
  AlertDeliveredMessage,
  AlertErasedMessage,
  AlertRoutedMessage,
  AlertSubmittedMessage,
  DELIVERY_KINDS,
  ERASURE_CAUSES,
  MatchNoticeMessage,
} from './messages';
import { ALERT_SUBMITTED_SCHEMA } from './messages.schema';
import { AGENCY_KINDS, AgencyRecord, CredentialRecord, RoomRecord, SharingGroupRecord } from './reference';

/**
 * The compiled schemas are never looser than the contract classes, and in fact decide the same: for generated
 * messages of every class consumed from Kafka — valid ones built from the alert fixtures and pools of valid values,
 * and the same with 1 to 3 mutations anywhere in the document (a field removed, a value of the wrong type or enum,
 * a near miss such as a wrong check digit or a lower-case country, a string one past its limit, an extra field, a
 * duplicated or oversized list) — class-transformer + class-validator (as KafkaMessageHandler ran them) and the
 * compiled validator accept and refuse the same documents, name only field paths the class named too, and hand the
 * handler the same data on acceptance. The last block shows that a loosened schema is caught.
 *
 * Known, deliberate differences (each allowed only where it occurs):
 * - a `__proto__` or `constructor` key anywhere: class-transformer skipped it without a word (or threw on a
 *   `constructor` where it expected no class, a refusal); the compiled validator refuses it, as the HTTP edge does.
 * - other keys inside free-form `details` named like Object.prototype members (`toString`): class-transformer
 *   dropped them, the compiled validator keeps the facts as written.
 * - a legacy cancel delivery's `alert`, which neither examines: class-transformer turned it into an instance with
 *   defaults, the schema passes it on as it came (the handler only asks whether there is one).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type MessageClass = new () => object;

const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

// ---------------------------------------------------------------------------------------------------------------
// Valid documents

const UUIDS = [
  '3f1c2b9e-8d4a-4c5e-9b7f-0a1b2c3d4e5f',
  '00000000-0000-4000-8000-000000000000',
  'a3bb189e-8bf9-3888-9912-ace4e6543002',
];
const AGENCIES = ['TJ-DCA', 'KG-BS', 'UZ-NCDC', 'KZ-CUSTOMS', 'CARICC', 'AF-CNPA'];
const INSTANTS = [
  '2026-01-01T00:00:00Z',
  '2026-12-07T05:30:00.123Z',
  '2030-06-01T12:00:00+05:00',
  '2024-02-29T23:59:59.999999Z',
];
const COUNTRIES = ['TJ', 'KG', 'UZ', 'KZ', 'AF', 'TM'];
const JWS = 'eyJhbGciOiJFZERTQSJ9..c2lnbmF0dXJl';

/** Texts valid as one line, at the boundaries too; `😀` is one code point in two UTF-16 units. */
function validText(max: number, multiline = false): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      'x',
      'Heroin via Osh',
      'Контейнер с героином',
      multiline ? 'Two lines\nand\ta tab' : 'one line',
      'x'.repeat(max),
      '😀'.repeat(max),
    ),
    fc
      .stringOf(fc.constantFrom('a', 'Z', '0', ' ', '-', 'ж', '😀'), { minLength: 1, maxLength: Math.min(max, 40) })
      .filter((text) => /\S/u.test(text)),
  );
}

const identifierText = (max: number): fc.Arbitrary<string> =>
  fc.constantFrom('A1234567', '01 KG 123 ABC', 'АБ 12-34/5', 'X', 'Z'.repeat(max));

const optional = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.option(arbitrary, { nil: undefined });

/** Adds `canonical` (as the gateway stamps it) to some identifiers. */
function stamped<T extends Record<string, unknown>>(
  subject: fc.Arbitrary<T>,
  canonicalOf: (subject: T) => string | undefined,
): fc.Arbitrary<T> {
  return fc.tuple(subject, fc.boolean()).map(([value, stamp]) => {
    const canonical = canonicalOf(value);
    return stamp && canonical !== undefined ? { ...value, canonical } : value;
  });
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

const subject: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  stamped(
    fc
      .record({
        type: fc.constant('person'),
        fullName: validText(200),
        dateOfBirth: optional(fc.constantFrom('1984-03-21', '2000-02-29')),
        nationality: optional(fc.constantFrom(...COUNTRIES)),
        documentNumber: optional(identifierText(50)),
        documentCountry: optional(fc.constantFrom(...COUNTRIES)),
      })
      .map(withoutUndefined),
    (s) => (typeof s.documentNumber === 'string' ? normaliseDocumentNumber(s.documentNumber) : undefined),
  ),
  stamped(
    fc
      .record({
        type: fc.constant('vehicle'),
        plate: identifierText(20),
        registrationCountry: fc.constantFrom(...COUNTRIES),
        vin: optional(fc.constantFrom('WDB9634031L123456', '1HGCM82633A004352')),
      })
      .map(withoutUndefined),
    (s) => normalisePlate(s.plate),
  ),
  stamped(
    fc.record({
      type: fc.constant('container'),
      number: fc.constantFrom('CSQU3054383', 'csqu 305438-3', 'MSCU-123456-6', 'TGHU 8764424'),
    }),
    (s) => normaliseContainerNumber(s.number),
  ),
  fc
    .record({
      type: fc.constant('consignment'),
      substance: validText(200),
      quantityKg: fc.oneof(fc.constantFrom(0.001, 12.5, 100_000_000), fc.double({ min: 0.001, max: 1e8, noNaN: true })),
      concealment: optional(validText(500)),
    })
    .map(withoutUndefined),
  stamped(
    fc.record({ type: fc.constant('vessel'), imo: fc.constantFrom('IMO 9074729', 'imo9074729', '9074729') }),
    (s) => normaliseImo(s.imo),
  ),
  stamped(
    fc.record({
      type: fc.constant('phone'),
      number: fc.constantFrom('+992372212345', '+992 93 555-12-34', '00992372212345'),
    }),
    (s) => normalisePhone(s.number),
  ),
);

/** Alert content: the fixtures, with their fields drawn again from valid values. */
const alertContent: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    base: fc.constantFrom(validPlainAlert, minimalPlainAlert),
    status: fc.constantFrom(...ALERT_STATUSES),
    category: fc.constantFrom(...ALERT_CATEGORIES),
    urgency: fc.constantFrom(...URGENCIES),
    severity: fc.constantFrom(...SEVERITIES),
    certainty: fc.constantFrom(...CERTAINTIES),
    headline: validText(160),
    description: optional(validText(8000, true)),
    tlp: fc.constantFrom(...TLP_LEVELS),
    handlingCode: fc.constantFrom(...HANDLING_CODES),
    handlingConditions: optional(validText(2000, true)),
    evaluation: fc.record({
      source: fc.constantFrom(...SOURCE_RELIABILITIES),
      information: fc.constantFrom(...INFORMATION_ASSESSMENTS),
    }),
    scope: fc.constantFrom(...DISTRIBUTION_SCOPES),
    recipients: optional(fc.shuffledSubarray(AGENCIES)),
    sharingGroups: optional(fc.shuffledSubarray(['central-asia-customs', 'g1', 'x'.repeat(64)])),
    location: fc.oneof(
      fc.record({ country: fc.constantFrom(...COUNTRIES) }),
      fc.record({
        country: fc.constantFrom(...COUNTRIES),
        place: validText(200),
        lat: fc.constantFrom(-90, 0, 37.2, 90),
        lon: fc.constantFrom(-180, 68.6, 180),
      }),
    ),
    subjects: fc.oneof(fc.constant(undefined), fc.array(subject, { maxLength: 8 })),
    expiresAt: optional(fc.constantFrom(...INSTANTS)),
    references: optional(fc.shuffledSubarray(UUIDS)),
  })
  .map(({ base, scope, recipients, sharingGroups, subjects, ...fields }) => {
    const content: Record<string, unknown> = { ...base(), ...withoutUndefined(fields) };
    content.distribution = withoutUndefined({ scope, recipients, sharingGroups });
    if (subjects !== undefined) content.subjects = subjects;
    if (fields.references === undefined) delete content.references;
    return content;
  });

const uuid = fc.constantFrom(...UUIDS);
const agency = fc.constantFrom(...AGENCIES);
const instant = fc.constantFrom(...INSTANTS);
const kind = fc.constantFrom(...DELIVERY_KINDS);
const version = fc.integer({ min: 1, max: 2 ** 31 - 1 });
const orNull = <T>(arbitrary: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> =>
  fc.oneof(fc.constant(undefined), fc.constant(null), arbitrary);
const text = (max: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('x', 'a'.repeat(max), '😀'.repeat(max), ' ', '\n'),
    fc.string({ minLength: 1, maxLength: 30 }),
  );

/**
 * Free-form audit details, at any depth. Keys that class-transformer treated specially (`__proto__`, `constructor`,
 * `toString`...) are asserted apart (see above), so no valid document carries one, however deep: fc.jsonValue would
 * produce an own `__proto__` key now and then.
 */
const plainKey = fc.string({ maxLength: 8 }).filter((key) => !(key in {}));
const { details } = fc.letrec<{ details: Json; value: Json }>((tie) => ({
  details: fc.dictionary(plainKey, tie('value'), { maxKeys: 5 }),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ maxLength: 12 }),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('details'),
  ),
}));

const record = (fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Record<string, unknown>> =>
  fc.record(fields).map((value) => withoutUndefined(value as Record<string, unknown>));

const VALID: ReadonlyMap<MessageClass, fc.Arbitrary<Record<string, unknown>>> = new Map<
  MessageClass,
  fc.Arbitrary<Record<string, unknown>>
>([
  [
    AlertSubmittedMessage,
    record({
      messageId: uuid,
      kind,
      alertId: uuid,
      version,
      sender: agency,
      senderKeyId: text(64),
      receivedAt: instant,
      alert: alertContent,
      cancelReason: orNull(text(2000)),
      signature: orNull(fc.constant(JWS)),
    }),
  ],
  [
    AlertDeliveredMessage,
    record({
      deliveryId: uuid,
      sourceMessageId: uuid,
      kind,
      alertId: uuid,
      version,
      sender: agency,
      recipient: agency,
      decidedAt: instant,
      alert: optional(alertContent),
      cancelReason: orNull(text(2000)),
      withdrawn: orNull(fc.boolean()),
      signature: orNull(fc.constant(JWS)),
    }).filter((message) => message.kind === 'cancel' || message.alert !== undefined),
  ],
  [
    AlertRoutedMessage,
    record({
      sourceMessageId: uuid,
      kind,
      alertId: uuid,
      version,
      sender: agency,
      decidedAt: instant,
      deliveries: fc.array(record({ deliveryId: uuid, recipient: agency, kind, withdrawn: orNull(fc.boolean()) }), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
  ],
  [
    MatchNoticeMessage,
    record({
      noticeId: uuid,
      correlationId: uuid,
      recipient: agency,
      alertId: uuid,
      version,
      otherAgencyId: agency,
      otherAlertIds: fc.shuffledSubarray(UUIDS),
      restricted: fc.boolean(),
      text: text(1000),
      foundAt: instant,
    }),
  ],
  [AlertErasedMessage, record({ alertId: uuid, cause: fc.constantFrom(...ERASURE_CAUSES), erasedAt: instant })],
  [
    AuditEvent,
    record({
      eventId: text(200),
      type: fc.constantFrom(...AUDIT_EVENT_TYPES),
      at: instant,
      actor: record({
        agencyId: orNull(agency),
        keyId: orNull(text(64)),
        role: orNull(fc.constantFrom(...ROLES)),
        service: orNull(text(64)),
      }),
      alertId: orNull(uuid),
      version: orNull(version),
      recipient: orNull(agency),
      decision: orNull(fc.constantFrom('delivered', 'withheld')),
      reason: orNull(text(200)),
      details,
    }),
  ],
  [
    AgencyRecord,
    record({
      id: agency,
      name: text(200),
      country: fc.constantFrom(...COUNTRIES),
      kind: fc.constantFrom(...AGENCY_KINDS),
      active: fc.boolean(),
      updatedAt: instant,
    }),
  ],
  [
    CredentialRecord,
    record({
      keyId: text(64),
      agencyId: agency,
      role: fc.constantFrom(...ROLES),
      secretHash: fc.constantFrom('a'.repeat(64), '0123456789abcdef'.repeat(4)),
      expiresAt: orNull(instant),
      revokedAt: orNull(instant),
      updatedAt: instant,
    }),
  ],
  [
    SharingGroupRecord,
    record({
      id: text(64),
      name: text(200),
      members: fc.shuffledSubarray(AGENCIES),
      expiresAt: orNull(instant),
      updatedAt: instant,
    }),
  ],
  [
    RoomRecord,
    record({
      id: uuid,
      name: orNull(text(200)),
      members: fc.shuffledSubarray(AGENCIES),
      closesAt: instant,
      closedAt: orNull(instant),
      updatedAt: instant,
    }),
  ],
]);

// ---------------------------------------------------------------------------------------------------------------
// Mutations

/** Values that are wrong for most fields and right for some: other types, other enums, near misses. */
const POOL: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1,
  1.5,
  2,
  4,
  5,
  -0.5,
  91,
  -181,
  100_000_000,
  100_000_001,
  2 ** 31,
  '',
  ' ',
  'x',
  '\n',
  'a\u0000b',
  'two\nlines',
  'tab\there',
  '\u2028',
  'TJ',
  'tj',
  'XK',
  'UK',
  'TJ-DCA',
  'tj-dca',
  'CARICC',
  'T',
  'central-asia-customs',
  ...UUIDS,
  UUIDS[0].toUpperCase(),
  'not-a-uuid',
  '3f1c2b9e8d4a4c5e9b7f0a1b2c3d4e5f',
  '2030-06-01T12:00:00Z',
  '2030-06-01T12:00:00',
  '2030-02-30T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01',
  '1984-03-21',
  '2023-02-29',
  '21/03/1984',
  'CSQU3054383',
  'CSQU3054384',
  'csqu 305438-3',
  'CSQA3054383',
  'IMO 9074729',
  'IMO 9074728',
  '9074729',
  'IMO9074729',
  '+992372212345',
  '+0992372212',
  '+992 93 555-12-34',
  '00992372212345',
  '+12',
  'WDB9634031L123456',
  'WDB9634031I123456',
  'WDB9634031L12345',
  '01 KG 123 ABC',
  '-AB-',
  'AB_12',
  'A1234567',
  'a'.repeat(64),
  'A'.repeat(64),
  JWS,
  'abc.def.ghi',
  'x'.repeat(33),
  ...SUBJECT_TYPES,
  'boat',
  ...DELIVERY_KINDS,
  'delivered',
  'withheld',
  ...ROLES,
  'root',
  ...ERASURE_CAUSES,
  ...AGENCY_KINDS,
  'alert.submitted',
  'AMBER',
  'RED',
  'amber',
  'H3',
  'H4',
  'A',
  'X',
  'D',
  'regional',
  'restricted',
  'actual',
  'seizure',
  [],
  {},
  ['KG-BS'],
  ['KG-BS', 'KG-BS'],
  [UUIDS[0]],
  [null],
  [[]],
  { type: 'person', fullName: 'X' },
  { type: 'phone' },
  { service: 'x' },
];

const EXTRA_KEYS = [
  'extra',
  'canonical',
  'alertId',
  'version',
  'type',
  'recipients',
  'toString',
  'constructor',
  '__proto__',
  'lat',
  'lon',
];
/** Text limits of the contract, and one past each. */
const LIMITS = [
  1, 16, 17, 18, 20, 21, 32, 33, 50, 51, 64, 65, 160, 161, 200, 201, 500, 501, 1000, 1001, 2000, 2001, 8000, 8001,
];
/** List limits of the contract, and one past each (not the 10,000 deliveries: the cost of a test, not a rule). */
const LIST_LIMITS = [1, 2, 20, 21, 50, 51, 100, 101, 500, 501];

type Path = (string | number)[];
type Mutation = (document: Json, choose: (n: number) => number) => void;

/** Every place in the document (the root is the empty path). */
function pathsOf(value: Json, path: Path = [], into: Path[] = []): Path[] {
  into.push(path);
  if (Array.isArray(value)) value.forEach((entry, index) => pathsOf(entry, [...path, index], into));
  else if (typeof value === 'object' && value !== null)
    for (const key of Object.keys(value)) pathsOf(value[key], [...path, key], into);
  return into;
}

function at(document: Json, path: Path): Json {
  return path.reduce<Json>((node, key) => (node as Record<string | number, Json>)[key], document);
}

function setAt(document: Json, path: Path, value: Json | undefined): void {
  const parent = at(document, path.slice(0, -1)) as Record<string | number, Json>;
  const key = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key];
  } else {
    Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
  }
}

function tweakString(text: string, choose: (n: number) => number): string {
  const limit = LIMITS[choose(LIMITS.length)];
  const filler = ['x', '😀', ' ', 'Ж'][choose(4)];
  const tweaks = [
    () => text + filler,
    () => text.slice(0, -1),
    () => text.toUpperCase(),
    () => text.toLowerCase(),
    () => ` ${text}`,
    () => `${text}\u0007`,
    () => `${text}\n`,
    () => filler.repeat(limit),
    () => (text + filler.repeat(limit)).slice(0, limit),
    () => text.replace(/\d(?!.*\d)/u, (digit) => String((Number(digit) + 1) % 10)),
  ];
  return tweaks[choose(tweaks.length)]();
}

function tweakNumber(value: number, choose: (n: number) => number): number {
  const tweaks = [value + 1, value - 1, -value, value * 1000, value + 0.5, 0, value / 3];
  return tweaks[choose(tweaks.length)];
}

function tweakArray(list: Json[], choose: (n: number) => number): Json[] {
  const limit = LIST_LIMITS[choose(LIST_LIMITS.length)];
  const tweaks: (() => Json[])[] = [
    () => (list.length > 0 ? [...list, list[choose(list.length)]] : [POOL[choose(POOL.length)]]),
    () => [],
    () => [...list, POOL[choose(POOL.length)]],
    () => Array.from({ length: limit }, (_, index) => (list.length > 0 ? list[index % list.length] : index)),
    () => Array.from({ length: limit }, (_, index) => (list.length > 0 ? structuredClone(list[0]) : index)),
  ];
  return tweaks[choose(tweaks.length)]();
}

const MUTATIONS: Mutation[] = [
  // remove a field or an entry
  (document, choose) => {
    const paths = pathsOf(document).filter((path) => path.length > 0);
    if (paths.length > 0) setAt(document, paths[choose(paths.length)], undefined);
  },
  // another value: another type, another enum, a near miss
  (document, choose) => {
    const paths = pathsOf(document).filter((path) => path.length > 0);
    if (paths.length > 0) setAt(document, paths[choose(paths.length)], structuredClone(POOL[choose(POOL.length)]));
  },
  // an extra field
  (document, choose) => {
    const objects = pathsOf(document).filter((path) => {
      const node = at(document, path);
      return typeof node === 'object' && node !== null && !Array.isArray(node);
    });
    const target = at(document, objects[choose(objects.length)]) as Record<string, Json>;
    Object.defineProperty(target, EXTRA_KEYS[choose(EXTRA_KEYS.length)], {
      value: structuredClone(POOL[choose(POOL.length)]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  },
  // the same value a little different: one past a limit, another case, a control character, another check digit
  (document, choose) => {
    const paths = pathsOf(document).filter((path) => path.length > 0 && typeof at(document, path) !== 'object');
    if (paths.length === 0) return;
    const path = paths[choose(paths.length)];
    const value = at(document, path);
    if (typeof value === 'string') setAt(document, path, tweakString(value, choose));
    else if (typeof value === 'number') setAt(document, path, tweakNumber(value, choose));
    else setAt(document, path, !value);
  },
  // a list longer, shorter, with a duplicate
  (document, choose) => {
    const lists = pathsOf(document).filter((path) => path.length > 0 && Array.isArray(at(document, path)));
    if (lists.length === 0) return;
    const path = lists[choose(lists.length)];
    setAt(document, path, tweakArray(at(document, path) as Json[], choose));
  },
  // an object where there was none, or the other way round
  (document, choose) => {
    const paths = pathsOf(document).filter((path) => path.length > 0);
    if (paths.length === 0) return;
    const path = paths[choose(paths.length)];
    const value = at(document, path);
    setAt(document, path, [[value], { value }, null, JSON.stringify(value) ?? null][choose(4)]);
  },
];

function mutated(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Json> {
  return fc
    .tuple(
      valid,
      fc.array(fc.tuple(fc.nat(MUTATIONS.length - 1), fc.infiniteStream(fc.nat())), { minLength: 1, maxLength: 3 }),
    )
    .map(([document, steps]) => {
      const copy = structuredClone(document) as Json;
      for (const [mutation, randomness] of steps) {
        const numbers = randomness.take(16)[Symbol.iterator]();
        MUTATIONS[mutation](copy, (n) => (numbers.next().value as number) % Math.max(n, 1));
      }
      return copy;
    });
}

/** One change at one place, for every place of a valid document: each field removed, replaced or tweaked in turn. */
function pointMutants(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Json[]> {
  return fc.tuple(valid, fc.infiniteStream(fc.nat())).map(([document, randomness]) => {
    const numbers = randomness[Symbol.iterator]();
    const choose = (n: number): number => (numbers.next().value as number) % Math.max(n, 1);
    const mutants: Json[] = [];
    for (const path of pathsOf(document as Json)) {
      const copy = structuredClone(document) as Json;
      const node = at(copy, path);
      if (path.length === 0) {
        MUTATIONS[2](copy, choose);
      } else if (typeof node === 'string') {
        setAt(copy, path, choose(3) === 0 ? structuredClone(POOL[choose(POOL.length)]) : tweakString(node, choose));
      } else if (typeof node === 'number') {
        setAt(copy, path, choose(3) === 0 ? structuredClone(POOL[choose(POOL.length)]) : tweakNumber(node, choose));
      } else if (Array.isArray(node)) {
        setAt(copy, path, choose(3) === 0 ? structuredClone(POOL[choose(POOL.length)]) : tweakArray(node, choose));
      } else {
        const options: (Json | undefined)[] = [
          undefined,
          structuredClone(POOL[choose(POOL.length)]),
          [node],
          JSON.stringify(node),
        ];
        setAt(copy, path, options[choose(options.length)]);
      }
      mutants.push(copy);
    }
    return mutants;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The two decisions

/** `paths` is null when class-transformer threw (a refusal without a path). */
type Decision<Paths = string[] | null> = { accepted: true; value: unknown } | { accepted: false; paths: Paths };

/** What KafkaMessageHandler decided before compiled schemas, from the message as it comes off the wire. */
async function classDecision(messageClass: MessageClass, wire: string): Promise<Decision> {
  let instance: object;
  try {
    instance = plainToInstance(messageClass, JSON.parse(wire) as object);
  } catch {
    return { accepted: false, paths: null }; // class-transformer threw: a refusal (dead-lettered) without a path
  }
  // The handler's options; `value: true` only lets the flattener name list entries (no effect on the decision).
  const errors = await validate(instance, {
    whitelist: true,
    forbidNonWhitelisted: false,
    validationError: { target: false, value: true },
  });
  if (errors.length > 0) return { accepted: false, paths: flattenValidationErrors(errors).map((error) => error.path) };
  return { accepted: true, value: JSON.parse(JSON.stringify(instance)) };
}

function compiledDecision(validator: CompiledValidator<object>, wire: string): Decision<string[]> {
  const result = validator.parse(JSON.parse(wire));
  return result.ok
    ? { accepted: true, value: result.value }
    : { accepted: false, paths: result.errors.map((error) => error.path) };
}

/** `a.b[2]` is within `a.b` and contains `a.b[2].c`. */
function related(one: string, other: string): boolean {
  const [shorter, longer] = one.length <= other.length ? [one, other] : [other, one];
  return longer === shorter || shorter === '' || longer.startsWith(`${shorter}.`) || longer.startsWith(`${shorter}[`);
}

function detailsKeys(document: unknown): string[] {
  const found: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        found.push(key);
        walk(child);
      }
    }
  };
  if (typeof document === 'object' && document !== null && !Array.isArray(document))
    walk((document as { details?: unknown }).details);
  return found;
}

/** Checks one document; returns what went wrong, or null. */
async function disagreement(
  messageClass: MessageClass,
  validator: CompiledValidator<object>,
  document: Json,
): Promise<string | null> {
  const wire = JSON.stringify(document);
  const before = await classDecision(messageClass, wire);
  const after = compiledDecision(validator, wire);
  const keysInDetails = messageClass === AuditEvent ? detailsKeys(JSON.parse(wire)) : [];
  const skippedKeys = skippedKeyPaths(JSON.parse(wire) as object).length > 0;
  if (after.accepted && !before.accepted)
    return `looser: the compiled schema accepted what the class refused (${before.paths?.join(', ') ?? 'threw'}): ${wire.slice(0, 3000)}`;
  if (before.accepted && !after.accepted) {
    if (skippedKeys) return null; // deliberate: refused, as at the HTTP edge
    return `stricter: the compiled schema refused what the class accepted (${after.paths.join(', ')}): ${wire.slice(0, 3000)}`;
  }
  if (!before.accepted && !after.accepted) {
    if (before.paths === null || skippedKeys) return null;
    // every problem the compiled validator names is one the class named too (at that path, or within or around it)
    const unknown = after.paths.filter((path) => !(before.paths as string[]).some((other) => related(path, other)));
    return unknown.length === 0
      ? null
      : `refused at ${unknown.join(', ')}, the class at ${before.paths.join(', ')}: ${wire.slice(0, 3000)}`;
  }
  if (before.accepted && after.accepted) {
    if (keysInDetails.some((key) => key in {})) return null; // deliberate: class-transformer dropped `toString` and the like
    const expected = before.value as Record<string, unknown>;
    const received = after.value as Record<string, unknown>;
    if (messageClass === AlertDeliveredMessage && received.kind === 'cancel') {
      expect(Boolean(received.alert)).toBe(Boolean(expected.alert));
      delete expected.alert;
      delete received.alert;
    }
    expect(received).toEqual(expected);
  }
  return null;
}

function classDocuments(messageClass: MessageClass): fc.Arbitrary<Json> {
  const valid = VALID.get(messageClass) as fc.Arbitrary<Record<string, unknown>>;
  return fc.oneof({ arbitrary: valid as fc.Arbitrary<Json>, weight: 1 }, { arbitrary: mutated(valid), weight: 4 });
}

describe('compiled validators decide exactly as the contract classes', () => {
  it('has a generator for every class with a compiled validator', () => {
    expect(COMPILED_MESSAGE_CLASSES.filter((cls) => !VALID.has(cls as MessageClass))).toEqual([]);
  });

  it.each([...VALID.keys()].map((messageClass) => [messageClass.name, messageClass] as const))(
    '%s: same accept/refuse, the same error paths, the same data',
    async (_name, messageClass) => {
      const validator = compiledValidatorFor(messageClass) as CompiledValidator<object>;
      const outcomes = { accepted: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(classDocuments(messageClass), async (document) => {
          const problem = await disagreement(messageClass, validator, document);
          if (problem !== null) throw new Error(problem);
          if (validator.parse(JSON.parse(JSON.stringify(document))).ok) outcomes.accepted++;
          else outcomes.refused++;
        }),
        { numRuns: messageClass === AlertSubmittedMessage || messageClass === AlertDeliveredMessage ? RUNS * 2 : RUNS },
      );
      // Both kinds of documents really occur, in numbers.
      expect(outcomes.accepted).toBeGreaterThan(RUNS / 10);
      expect(outcomes.refused).toBeGreaterThan(RUNS / 4);
    },
  );

  it.each([...VALID.keys()].map((messageClass) => [messageClass.name, messageClass] as const))(
    '%s: every field of valid documents changed in turn',
    async (_name, messageClass) => {
      const validator = compiledValidatorFor(messageClass) as CompiledValidator<object>;
      await fc.assert(
        fc.asyncProperty(
          pointMutants(VALID.get(messageClass) as fc.Arbitrary<Record<string, unknown>>),
          async (mutants) => {
            for (const mutant of mutants) {
              const problem = await disagreement(messageClass, validator, mutant);
              if (problem !== null) throw new Error(problem);
            }
          },
        ),
        { numRuns: Math.ceil(RUNS / 10) },
      );
    },
  );

  it('the valid documents themselves are all accepted by both', async () => {
    for (const [messageClass, valid] of VALID) {
      const validator = compiledValidatorFor(messageClass) as CompiledValidator<object>;
      await fc.assert(
        fc.asyncProperty(valid, async (document) => {
          const wire = JSON.stringify(document);
          expect(compiledDecision(validator, wire).accepted).toBe(true);
          expect((await classDecision(messageClass, wire)).accepted).toBe(true);
        }),
        { numRuns: 50 },
      );
    }
  });
});

describe('a schema looser than its class is caught', () => {
  /** A copy of the schema with one rule dropped at `path` (property names from the root). */
  function loosened(schema: SchemaObject, path: string[], drop: string): SchemaObject {
    const copy = structuredClone(schema);
    const node = path.reduce<Record<string, unknown>>((parent, key) => parent[key] as Record<string, unknown>, copy);
    delete node[drop];
    return copy;
  }

  const subjects = ['properties', 'alert', 'properties', 'subjects', 'items', 'oneOf'];
  it.each([
    [
      'the container check digit',
      AlertSubmittedMessage,
      loosened(ALERT_SUBMITTED_SCHEMA, [...subjects, '2', 'properties', 'number'], 'check'),
    ],
    [
      'the headline length',
      AlertSubmittedMessage,
      loosened(ALERT_SUBMITTED_SCHEMA, ['properties', 'alert', 'properties', 'headline'], 'text'),
    ],
    [
      'the sender pattern',
      AlertSubmittedMessage,
      loosened(ALERT_SUBMITTED_SCHEMA, ['properties', 'sender'], 'matches'),
    ],
    [
      'the canonical identifier',
      AlertSubmittedMessage,
      loosened(ALERT_SUBMITTED_SCHEMA, [...subjects, '1'], 'canonicalOf'),
    ],
    [
      'the uniqueness of recipients',
      AlertSubmittedMessage,
      loosened(
        ALERT_SUBMITTED_SCHEMA,
        ['properties', 'alert', 'properties', 'distribution', 'properties', 'recipients'],
        'list',
      ),
    ],
    ['the required fields', AlertSubmittedMessage, loosened(ALERT_SUBMITTED_SCHEMA, [], 'required')],
    ['the audit event types', AuditEvent, loosened(AUDIT_EVENT_SCHEMA, ['properties', 'type'], 'enum')],
  ] as const)('without %s', async (_rule, messageClass, schema) => {
    const validator = compileContractSchema<object>(schema);
    const valid = VALID.get(messageClass) as fc.Arbitrary<Record<string, unknown>>;
    const result = await fc.check(
      fc.asyncProperty(pointMutants(valid), async (mutants) => {
        for (const mutant of mutants) if ((await disagreement(messageClass, validator, mutant)) !== null) return false;
        return true;
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
  });
});
