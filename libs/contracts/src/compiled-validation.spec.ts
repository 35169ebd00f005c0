import * as fc from 'fast-check';
import { minimalPlainAlert, validPlainAlert } from './alert/alert.fixtures';
import { hasSkippedKey, skippedKeyPaths } from './alert/validate';
import { AuditEvent, AuditEventType } from './audit-event';
import { CompiledValidator, compiledValidatorFor, fieldPathOf } from './compiled-validation';
import { AlertSubmittedMessage } from './messages';

const UUID = '3f1c2b9e-8d4a-4c5e-9b7f-0a1b2c3d4e5f';
const submission = (alert: object, extra: object = {}): Record<string, unknown> => ({
  messageId: UUID,
  kind: 'alert',
  alertId: UUID,
  version: 1,
  sender: 'TJ-DCA',
  senderKeyId: 'k1',
  receivedAt: '2026-12-07T05:00:00Z',
  alert,
  ...extra,
});

const submitted = compiledValidatorFor(AlertSubmittedMessage) as CompiledValidator<AlertSubmittedMessage>;
const audit = compiledValidatorFor(AuditEvent) as CompiledValidator<AuditEvent>;

function errorsOf(validator: CompiledValidator<object>, plain: unknown): string[] {
  const result = validator.parse(plain);
  return result.ok ? [] : result.errors.map((error) => `${error.path}: ${error.message}`);
}

describe('compiled validation of Kafka messages', () => {
  it('removes unknown properties at every level, as the whitelist did', () => {
    const alert = { ...validPlainAlert(), injected: 1 } as Record<string, unknown>;
    (alert.subjects as Record<string, unknown>[])[3].canonical = 'not for a consignment';
    (alert.location as Record<string, unknown>).altitude = 12;
    const result = submitted.parse(submission(alert, { routedTo: ['KG-BS'] }));
    expect(result.ok).toBe(true);
    const message = (result as { value: AlertSubmittedMessage }).value;
    expect(message).not.toHaveProperty('routedTo');
    expect(message.alert).not.toHaveProperty('injected');
    expect(message.alert.location).toEqual({ country: 'TJ', place: 'Nizhny Panj', lat: 37.2, lon: 68.6 });
    expect(message.alert.subjects[3]).toEqual({
      type: 'consignment',
      substance: 'heroin',
      quantityKg: 12.5,
      concealment: 'false floor',
    });
  });

  it('keeps free-form audit details as written', () => {
    const event = {
      eventId: 'e1',
      type: 'inbox.read',
      at: '2026-12-07T05:00:00Z',
      actor: { agencyId: 'KG-BS', extra: 1 },
      details: { shown: [{ alertId: UUID }] },
    };
    const result = audit.parse(event);
    expect(result).toEqual({ ok: true, value: { ...event, actor: { agencyId: 'KG-BS' } } });
  });

  it('makes absent id lists empty, as the class initialisers did', () => {
    const alert = minimalPlainAlert() as Record<string, unknown>;
    delete alert.references;
    alert.distribution = { scope: 'regional' };
    const result = submitted.parse(submission(alert));
    expect(result.ok && result.value.alert.references).toEqual([]);
    expect(result.ok && result.value.alert.distribution).toEqual({
      scope: 'regional',
      recipients: [],
      sharingGroups: [],
    });
  });

  it('names the failing field path, nested content included', () => {
    const alert = validPlainAlert();
    alert.subjects[2] = { type: 'container', number: 'CSQU3054384' };
    expect(errorsOf(submitted, submission(alert))).toEqual([
      'alert.subjects[2].number: container number check digit is wrong (expected 3)',
    ]);
    alert.subjects[2] = { type: 'boat' };
    expect(errorsOf(submitted, submission(alert))).toEqual(['alert.subjects[2].type: must name a known type']);
    const duplicate = validPlainAlert();
    duplicate.distribution.recipients.push('KG-BS');
    expect(errorsOf(submitted, submission(duplicate))).toEqual([
      'alert.distribution.recipients[2]: is listed more than once',
    ]);
    const noLon = validPlainAlert();
    delete (noLon.location as Record<string, unknown>).lon;
    expect(errorsOf(submitted, submission(noLon))).toEqual(['alert.location.lon: is required']);
    expect(errorsOf(submitted, submission(validPlainAlert(), { sender: 'tj-dca' }))[0]).toMatch(/^sender: /);
    expect(errorsOf(submitted, { ...submission(validPlainAlert()), alert: undefined })).toEqual(['alert: is required']);
  });

  it('names every problem of a refused message, not only the first', () => {
    expect(errorsOf(audit, { eventId: 'e1', type: 'no.such.type', details: [] })).toEqual([
      'at: is required',
      'actor: is required',
      'type: must be one of: ' + Object.values(AuditEventType).join(', '),
      'details: must be an object',
    ]);
  });

  it('refuses a wrong canonical identifier', () => {
    const alert = validPlainAlert();
    alert.subjects[1] = { type: 'vehicle', plate: '01 KG 123 ABC', registrationCountry: 'KG', canonical: '01KG123ABC' };
    expect(submitted.parse(submission(alert)).ok).toBe(true);
    alert.subjects[1] = { type: 'vehicle', plate: '01 KG 123 ABC', registrationCountry: 'KG', canonical: '01KG123ABD' };
    expect(errorsOf(submitted, submission(alert))).toEqual([
      'alert.subjects[1].canonical: must be the canonical form of the identifier, as the hub stamps it',
    ]);
  });

  it('lets null through where the class said @IsOptional, and not where it said OptionalField', () => {
    expect(submitted.parse(submission(validPlainAlert(), { cancelReason: null, signature: null })).ok).toBe(true);
    const alert = validPlainAlert() as Record<string, unknown>;
    alert.description = null;
    expect(errorsOf(submitted, submission(alert))).toEqual(['alert.description: must be a string']);
  });

  it('refuses keys that class-transformer skipped without a word, at any depth', () => {
    const withProto = JSON.parse(
      `{"eventId":"e1","type":"inbox.read","at":"2026-12-07T05:00:00Z","actor":{},"details":{"a":{"__proto__":{"x":1}}}}`,
    ) as object;
    expect(errorsOf(audit, withProto)).toEqual(['details.a.__proto__: is not an accepted field']);
    const withConstructor = JSON.parse(
      `{"eventId":"e1","type":"inbox.read","at":"2026-12-07T05:00:00Z","actor":{},"details":{"constructor":1}}`,
    ) as object;
    expect(errorsOf(audit, withConstructor)).toEqual(['details.constructor: is not an accepted field']);
  });

  it('pre-checks skipped keys exactly as skippedKeyPaths finds them', () => {
    const key = fc.constantFrom('__proto__', 'constructor', 'toString', 'a', 'type');
    const json = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.jsonValue({ maxDepth: 1 }),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(key, tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(fc.dictionary(key, json, { maxKeys: 4 }), (document) => {
        const parsed = JSON.parse(JSON.stringify(document)) as object;
        expect(hasSkippedKey(parsed)).toBe(skippedKeyPaths(parsed).length > 0);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses what is not a JSON object', () => {
    for (const plain of [null, [], 'text', 1]) expect(errorsOf(submitted, plain)).toEqual([': must be a JSON object']);
  });

  it('writes JSON pointers as field paths', () => {
    expect(fieldPathOf('')).toBe('');
    expect(fieldPathOf('/alert/subjects/2/number')).toBe('alert.subjects[2].number');
    expect(fieldPathOf('/details/a~1b~0c')).toBe('details.a/b~c');
  });
});
