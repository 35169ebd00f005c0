import { randomUUID } from 'node:crypto';
import {
  alertBody,
  api,
  createAgency,
  createSharingGroup,
  expectEventually,
  queryDatabase,
  submitAlert,
  testEnvironment,
  TestAgency,
} from '@hub/testing';

const env = testEnvironment();

type Body = Record<string, any>;
type Case = [
  name: string,
  mutate: (body: Body, ctx: { self: string; expiredGroup: string }) => Body,
  path: string,
  status?: number,
];

const withSubject = (subject: unknown) => (b: Body) => ({ ...b, subjects: [subject] });
const deep = (levels: number) => {
  let value: any = 'x';
  for (let i = 0; i < levels; i++) value = { nested: value };
  return value;
};
const past = new Date(Date.now() - 3600_000).toISOString();
const future = new Date(Date.now() + 7 * 24 * 3600_000).toISOString();

/** Each malformed submission and the path its 400 must name. */
const CASES: Case[] = [
  ['status missing', ({ status: _s, ...b }) => b, 'status'],
  ['status unknown', (b) => ({ ...b, status: 'draft' }), 'status'],
  ['category unknown', (b) => ({ ...b, category: 'smuggling' }), 'category'],
  ['urgency wrong type', (b) => ({ ...b, urgency: 3 }), 'urgency'],
  ['severity unknown', (b) => ({ ...b, severity: 'catastrophic' }), 'severity'],
  ['certainty missing', ({ certainty: _c, ...b }) => b, 'certainty'],
  ['headline empty', (b) => ({ ...b, headline: '' }), 'headline'],
  ['headline too long', (b) => ({ ...b, headline: 'h'.repeat(161) }), 'headline'],
  ['headline wrong type', (b) => ({ ...b, headline: ['a'] }), 'headline'],
  ['description too long', (b) => ({ ...b, description: 'd'.repeat(8001) }), 'description'],
  ['tlp unknown', (b) => ({ ...b, tlp: 'WHITE' }), 'tlp'],
  ['tlp lower case', (b) => ({ ...b, tlp: 'amber' }), 'tlp'],
  ['handlingCode unknown', (b) => ({ ...b, handlingCode: 'H4' }), 'handlingCode'],
  ['H3 without handlingConditions', (b) => ({ ...b, handlingCode: 'H3' }), 'handlingConditions'],
  ['evaluation.source unknown', (b) => ({ ...b, evaluation: { source: 'D', information: 2 } }), 'evaluation.source'],
  [
    'evaluation.information out of range',
    (b) => ({ ...b, evaluation: { source: 'A', information: 5 } }),
    'evaluation.information',
  ],
  ['evaluation not an object', (b) => ({ ...b, evaluation: 'A1' }), 'evaluation'],
  [
    'distribution.scope unknown',
    (b) => ({ ...b, distribution: { ...b.distribution, scope: 'global' } }),
    'distribution.scope',
  ],
  [
    'RED with regional scope',
    (b) => ({ ...b, tlp: 'RED', distribution: { scope: 'regional', recipients: [], sharingGroups: [] } }),
    'distribution.scope',
  ],
  [
    'AMBER+STRICT without explicit recipients',
    (b, c) => ({
      ...b,
      tlp: 'AMBER+STRICT',
      distribution: { scope: 'restricted', recipients: [], sharingGroups: [c.expiredGroup] },
    }),
    'distribution.recipients',
  ],
  [
    'unknown recipient',
    (b) => ({ ...b, distribution: { ...b.distribution, recipients: ['ZZ-NOBODY'] } }),
    'distribution.recipients[0]',
  ],
  [
    'malformed recipient id',
    (b) => ({ ...b, distribution: { ...b.distribution, recipients: ['tj dca'] } }),
    'distribution.recipients[0]',
  ],
  [
    'sender addressing itself',
    (b, c) => ({ ...b, distribution: { ...b.distribution, recipients: [c.self] } }),
    'distribution.recipients[0]',
  ],
  [
    'unknown sharing group',
    (b) => ({ ...b, distribution: { ...b.distribution, sharingGroups: ['NO-SUCH-GROUP'] } }),
    'distribution.sharingGroups[0]',
  ],
  [
    'expired sharing group',
    (b, c) => ({ ...b, distribution: { ...b.distribution, sharingGroups: [c.expiredGroup] } }),
    'distribution.sharingGroups[0]',
  ],
  [
    'recipients not an array',
    (b) => ({ ...b, distribution: { ...b.distribution, recipients: 'TJ-DCA' } }),
    'distribution.recipients',
  ],
  [
    'too many recipients',
    (b) => ({
      ...b,
      distribution: { ...b.distribution, recipients: Array.from({ length: 101 }, (_, i) => `TJ-R${i}`) },
    }),
    'distribution.recipients',
  ],
  ['location.country not ISO 3166', (b) => ({ ...b, location: { country: 'XX' } }), 'location.country'],
  ['location.lat out of range', (b) => ({ ...b, location: { country: 'TJ', lat: 91 } }), 'location.lat'],
  ['location missing', ({ location: _l, ...b }) => b, 'location'],
  ['container check digit wrong', withSubject({ type: 'container', number: 'CSQU3054384' }), 'subjects[0].number'],
  ['container format wrong', withSubject({ type: 'container', number: 'CSQ3054383' }), 'subjects[0].number'],
  ['vessel IMO check digit wrong', withSubject({ type: 'vessel', imo: 'IMO 9074728' }), 'subjects[0].imo'],
  // Spaces and dashes are fine (identifiers as written), a missing country prefix (+ or 00) is not.
  ['phone not E.164', withSubject({ type: 'phone', number: '37 2 212345' }), 'subjects[0].number'],
  ['subject type unknown', withSubject({ type: 'aircraft', tail: 'EY-123' }), 'subjects[0].type'],
  [
    'consignment negative quantity',
    withSubject({ type: 'consignment', substance: 'heroin', quantityKg: -1 }),
    'subjects[0].quantityKg',
  ],
  ['person without expiresAt', withSubject({ type: 'person', fullName: 'Ivan Petrov' }), 'expiresAt'],
  [
    'vehicle with expiresAt in the past',
    (b) => ({
      ...b,
      subjects: [{ type: 'vehicle', plate: '01 KG 123 ABC', registrationCountry: 'KG' }],
      expiresAt: past,
    }),
    'expiresAt',
  ],
  ['expiresAt not a date', (b) => ({ ...b, expiresAt: 'next tuesday' }), 'expiresAt'],
  [
    'person with unknown field',
    (b) => ({ ...b, expiresAt: future, subjects: [{ type: 'person', fullName: 'Ivan Petrov', religion: 'x' }] }),
    'subjects[0].religion',
  ],
  [
    'too many subjects',
    (b) => ({ ...b, subjects: Array.from({ length: 51 }, () => ({ type: 'phone', number: '+992372212345' })) }),
    'subjects',
  ],
  ['reference to an unknown alert', (b) => ({ ...b, references: [randomUUID()] }), 'references[0]'],
  ['reference not a UUID', (b) => ({ ...b, references: ['alert-1'] }), 'references[0]'],
  ['unknown top-level field', (b) => ({ ...b, priority: 'high' }), 'priority'],
  ['deeply nested junk', (b) => ({ ...b, location: { country: 'TJ', place: deep(200) } }), 'location.place'],
];

describe('malformed submissions: a 4xx naming the offending path, and nothing stored or routed', () => {
  let sender: TestAgency;
  let recipient: TestAgency;
  let expiredGroup: string;

  beforeAll(async () => {
    [sender, recipient] = await Promise.all([createAgency('TJ'), createAgency('KG')]);
    // Members other than `recipient`, so that probes accepted before the expiry deliver nothing to it.
    expiredGroup = await createSharingGroup([sender.id], new Date(Date.now() + 1500).toISOString());
    // The group must be past its expiry for the table below: wait until the gateway says so (asking as
    // another agency, so that probes accepted before the expiry do not count against this sender).
    const prober = await createAgency('KZ');
    await expectEventually(
      async () => {
        const probe = await submitAlert(
          prober.key,
          alertBody([], { distribution: { scope: 'restricted', recipients: [], sharingGroups: [expiredGroup] } }),
        );
        return probe.status === 400 && probe.body.details.some((d: { message: string }) => /expired/i.test(d.message));
      },
      { timeoutMs: 10000, description: 'sharing group expired' },
    );
  });

  it('has at least 40 cases', () => {
    expect(CASES.length + 4).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)('%s → 400 at %s', async (_name, mutate, path, status = 400) => {
    const body = mutate(alertBody([recipient.id]), { self: sender.id, expiredGroup });
    const response = await submitAlert(sender.key, body);
    expect(response.status).toBe(status);
    expect(response.body.error).toBe('validation_failed');
    expect(response.body.details.map((d: { path: string }) => d.path)).toContain(path);
  });

  it('invalid JSON → 400 invalid_json', async () => {
    const response = await api(env.gateway, 'POST', '/v1/alerts', {
      key: sender.key,
      rawBody: '{"status": "actual",',
      headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_json');
    expect(response.body.details[0].path).toBe('body');
  });

  it('wrong content type → 415 naming content-type', async () => {
    const response = await api(env.gateway, 'POST', '/v1/alerts', {
      key: sender.key,
      rawBody: 'status=actual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': randomUUID() },
    });
    expect(response.status).toBe(415);
    expect(response.body.details[0].path).toBe('content-type');
  });

  it('a body over 256 KiB → 413', async () => {
    const response = await submitAlert(sender.key, {
      ...alertBody([recipient.id]),
      description: 'x'.repeat(300 * 1024),
    });
    expect(response.status).toBe(413);
    expect(response.body.error).toBe('payload_too_large');
  });

  it('a JSON array body → 400', async () => {
    const response = await submitAlert(sender.key, [alertBody([recipient.id])]);
    expect(response.status).toBe(400);
  });

  it('malformed JSON and CAP bodies, a CAP document 1,000 elements deep among them, answer 4xx, never 5xx', async () => {
    const post = (rawBody: string, contentType: string) =>
      api(env.gateway, 'POST', '/v1/alerts', {
        key: sender.key,
        rawBody,
        headers: { 'content-type': contentType, 'idempotency-key': randomUUID() },
      });
    const nested = `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">${'<x>'.repeat(1000)}${'</x>'.repeat(1000)}</alert>`;
    const deepCap = await post(nested, 'application/cap+xml');
    expect(deepCap.status).toBe(400);
    expect(deepCap.body.details[0]).toMatchObject({ path: 'alert', message: expect.stringMatching(/nested/i) });

    const json = JSON.stringify(alertBody([recipient.id]));
    const bodies: [string, string][] = [
      ['{', 'application/json'],
      ['{"status":', 'application/json'],
      [
        '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
        'application/json',
      ],
      [`${'['.repeat(5000)}${']'.repeat(5000)}`, 'application/json'],
      [`{"a":${'{"a":'.repeat(3000)}1${'}'.repeat(3001)}`, 'application/json'],
      ['\u0000', 'application/json'],
      ['null', 'application/json'],
      ['"text"', 'application/json'],
      ['{"__proto__":{"admin":true}}', 'application/json'],
      [json.slice(0, json.length / 2), 'application/json'],
      [json.replace(/"/g, "'"), 'application/json'],
      ['<alert>', 'application/cap+xml'],
      ['<?xml version="1.0"?>', 'application/cap+xml'],
      ['<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info>', 'application/cap+xml'],
      ['<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info><parameter/></info></alert>', 'application/cap+xml'],
      ['<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&bogus;</alert>', 'application/cap+xml'],
      ['<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><![CDATA[</alert>', 'application/cap+xml'],
      [`<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">${'<info>'.repeat(150)}</alert>`, 'application/cap+xml'],
      ['{"status":"actual"}', 'application/cap+xml'],
      ['<alert/>', 'application/json'],
    ];
    const answers = await Promise.all(bodies.map(([body, type]) => post(body, type)));
    expect(
      answers
        .map((answer, i) => [bodies[i][0].slice(0, 40), answer.status])
        .filter(([, status]) => Number(status) >= 500),
    ).toEqual([]);
    expect(answers.every((answer) => answer.status >= 400)).toBe(true);
  });

  it('stored nothing and routed nothing for any of them', async () => {
    const [{ alerts }] = await queryDatabase(`SELECT count(*)::int AS alerts FROM gateway.alerts WHERE sender = $1`, [
      sender.id,
    ]);
    const [{ keys }] = await queryDatabase(
      `SELECT count(*)::int AS keys FROM gateway.idempotency_keys WHERE sender = $1`,
      [sender.id],
    );
    const [{ routed }] = await queryDatabase(
      `SELECT count(*)::int AS routed FROM coordination.routing_decisions WHERE sender = $1`,
      [sender.id],
    );
    const [{ delivered }] = await queryDatabase(
      `SELECT count(*)::int AS delivered FROM gateway.inbox WHERE recipient = $1`,
      [recipient.id],
    );
    expect({ alerts, keys, routed, delivered }).toEqual({ alerts: 0, keys: 0, routed: 0, delivered: 0 });
  });

  it('a valid submission by the same sender still goes through afterwards (the check above could fail)', async () => {
    const response = await submitAlert(sender.key, alertBody([recipient.id]));
    expect(response.status).toBe(202);
    const [{ alerts }] = await queryDatabase(`SELECT count(*)::int AS alerts FROM gateway.alerts WHERE sender = $1`, [
      sender.id,
    ]);
    expect(alerts).toBe(1);
  });
});
