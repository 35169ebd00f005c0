import { validate } from 'class-validator';
import { getMetadataStorage } from 'class-validator';
import { plainToInstance } from 'class-transformer';
import { minimalPlainAlert, PlainAlert, validPlainAlert } from './alert.fixtures';
import { AlertSubmittedMessage } from '../messages';
import { AlertContent } from './alert-content';
import { HUB_STAMPED_FIELDS } from './enums';
import { FieldError } from './field-error';
import { AckRequest, CancelAlertRequest, SubmitAlertRequest, UpdateAlertRequest } from './requests';
import {
  ConsignmentSubject,
  ContainerSubject,
  hubStampedSubjectFieldErrors,
  PersonSubject,
  PhoneSubject,
  stampCanonicalIdentifiers,
  VehicleSubject,
  VesselSubject,
} from './subjects';
import { flattenValidationErrors, parseContent, validateContent } from './validate';

function alertWith(change: (alert: PlainAlert) => void): PlainAlert {
  const alert = validPlainAlert();
  change(alert);
  return alert;
}

async function errorsOf(plain: unknown, cls: new () => object = SubmitAlertRequest): Promise<FieldError[]> {
  return validateContent(plain, cls);
}

async function pathsOf(plain: unknown, cls: new () => object = SubmitAlertRequest): Promise<string[]> {
  return (await errorsOf(plain, cls)).map((error) => error.path);
}

const text = (length: number): string => 'x'.repeat(length);
const agencyIds = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `KG-A${String(i).padStart(3, '0')}`);
const uuids = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

describe('validateContent on SubmitAlertRequest', () => {
  it('accepts a complete alert with every subject type and a minimal one', async () => {
    expect(await errorsOf(validPlainAlert())).toEqual([]);
    expect(await errorsOf(minimalPlainAlert())).toEqual([]);
  });

  it('returns a typed instance whose subjects are instances of their own classes', async () => {
    const result = await parseContent(validPlainAlert(), SubmitAlertRequest);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.value).toBeInstanceOf(SubmitAlertRequest);
    expect(result.value.subjects.map((subject) => subject.constructor)).toEqual([
      PersonSubject,
      VehicleSubject,
      ContainerSubject,
      ConsignmentSubject,
      VesselSubject,
      PhoneSubject,
    ]);
    expect(result.value.evaluation).toEqual({ source: 'B', information: 2 });
  });

  describe('subjects are validated by the class their type names', () => {
    it.each<[string, Record<string, unknown>, string, RegExp]>([
      ['person without a name', { type: 'person' }, 'subjects[0].fullName', /^is required$/],
      [
        'person born on an impossible date',
        { type: 'person', fullName: 'A B', dateOfBirth: '1984-02-30' },
        'subjects[0].dateOfBirth',
        /YYYY-MM-DD/,
      ],
      [
        'person with a reserved nationality',
        { type: 'person', fullName: 'A B', nationality: 'SU' },
        'subjects[0].nationality',
        /ISO 3166-1/,
      ],
      [
        'vehicle registered in a non-country',
        { type: 'vehicle', plate: 'AB 123', registrationCountry: 'XK' },
        'subjects[0].registrationCountry',
        /ISO 3166-1/,
      ],
      [
        'vehicle with a VIN containing O',
        { type: 'vehicle', plate: 'AB 123', registrationCountry: 'KG', vin: 'WDB9634031O123456' },
        'subjects[0].vin',
        /ISO 3779/,
      ],
      [
        'vehicle plate with punctuation',
        { type: 'vehicle', plate: 'AB;123', registrationCountry: 'KG' },
        'subjects[0].plate',
        /letters, digits/,
      ],
      [
        'container with a wrong check digit',
        { type: 'container', number: 'MSCU1234567' },
        'subjects[0].number',
        /^container number check digit is wrong \(expected 6\)$/,
      ],
      [
        'consignment of zero kilograms',
        { type: 'consignment', substance: 'heroin', quantityKg: 0 },
        'subjects[0].quantityKg',
        /greater than 0/,
      ],
      [
        'consignment quantity as a string',
        { type: 'consignment', substance: 'heroin', quantityKg: '12' },
        'subjects[0].quantityKg',
        /must be a number/,
      ],
      [
        'vessel with a wrong check digit',
        { type: 'vessel', imo: 'IMO 9074728' },
        'subjects[0].imo',
        /^IMO number check digit is wrong \(expected 9\)$/,
      ],
      ['phone without a country code', { type: 'phone', number: '93 555-12-34' }, 'subjects[0].number', /E\.164/],
      [
        'container written with a wrong check digit',
        { type: 'container', number: 'csqu 305438-4' },
        'subjects[0].number',
        /^container number check digit is wrong \(expected 3\)$/,
      ],
      [
        'vessel written without IMO and a wrong check digit',
        { type: 'vessel', imo: '9074728' },
        'subjects[0].imo',
        /check digit is wrong/,
      ],
      [
        'container number over several lines',
        { type: 'container', number: 'CSQU\n3054383' },
        'subjects[0].number',
        /single line/,
      ],
    ])('%s', async (_case, subject, path, message) => {
      const errors = await errorsOf(alertWith((alert) => (alert.subjects = [subject])));
      expect(errors).toEqual([{ path, message: expect.stringMatching(message) }]);
    });

    it.each<[Record<string, unknown>, string]>([
      [{ type: 'container', number: 'CSQU 305438-3' }, 'CSQU3054383'],
      [{ type: 'container', number: 'csqu3054383' }, 'CSQU3054383'],
      [{ type: 'vessel', imo: 'IMO 9074729' }, 'IMO9074729'],
      [{ type: 'vessel', imo: 'imo9074729' }, 'IMO9074729'],
      [{ type: 'vessel', imo: '9074729' }, 'IMO9074729'],
      [{ type: 'phone', number: '+992 93 555-12-34' }, '+992935551234'],
      [{ type: 'phone', number: '00992 (93) 555 12 34' }, '+992935551234'],
      [{ type: 'vehicle', plate: '01 kg 123 abc', registrationCountry: 'KG' }, '01KG123ABC'],
    ])('accepts %j as officers write it, stamping %s beside it', async (subject, canonical) => {
      const result = await parseContent(
        alertWith((alert) => (alert.subjects = [subject])),
        SubmitAlertRequest,
      );
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      stampCanonicalIdentifiers(result.value.subjects);
      expect(result.value.subjects[0]).toEqual({ ...subject, canonical });
      // The stamped subject is itself valid on Kafka (what the coordination node validates)…
      expect(await errorsOf(JSON.parse(JSON.stringify(result.value)), AlertContent)).toEqual([]);
      // …and a canonical form that disagrees with the written text is not.
      const forged = alertWith((alert) => (alert.subjects = [{ ...subject, canonical: 'X' + canonical }]));
      expect(await pathsOf(forged, AlertContent)).toEqual(['subjects[0].canonical']);
    });

    it('names a canonical form sent by a client as hub-stamped', () => {
      expect(
        hubStampedSubjectFieldErrors({
          subjects: [
            { type: 'phone', number: '+992935551234' },
            { type: 'container', number: 'CSQU3054383', canonical: 'CSQU3054383' },
          ],
        }),
      ).toEqual([{ path: 'subjects[1].canonical', message: 'is stamped by the hub and must not be sent' }]);
      expect(hubStampedSubjectFieldErrors({ subjects: 'nope' })).toEqual([]);
    });

    it('rejects a field that belongs to another subject type', async () => {
      const errors = await errorsOf(
        alertWith((alert) => (alert.subjects = [{ type: 'person', fullName: 'A B', number: 'CSQU3054383' }])),
      );
      expect(errors).toEqual([{ path: 'subjects[0].number', message: 'is not an accepted field' }]);
    });

    it('reports an unknown type at subjects[i].type only', async () => {
      const errors = await errorsOf(
        alertWith((alert) => alert.subjects.splice(1, 0, { type: 'aircraft', registration: 'EY-123' })),
      );
      expect(errors).toEqual([
        { path: 'subjects[1].type', message: expect.stringContaining('person, vehicle, container') },
      ]);
    });

    it.each([
      ['missing', {}],
      ['not a string', { type: 7 }],
      ['an Object.prototype name', { type: 'constructor' }],
    ])('reports a type that is %s at subjects[i].type', async (_case, subject) => {
      expect(await pathsOf(alertWith((alert) => (alert.subjects = [subject])))).toEqual(['subjects[0].type']);
    });

    it('reports entries that are not objects without throwing', async () => {
      const errors = await errorsOf(alertWith((alert) => (alert.subjects = [null, 'person', 3, ['x']])));
      expect(errors).toEqual([0, 1, 2, 3].map((i) => ({ path: `subjects[${i}]`, message: 'must be an object' })));
    });
  });

  describe('hub-stamped fields', () => {
    it.each(HUB_STAMPED_FIELDS.map((field) => [field]))(
      'rejects %s in a submission and in an update',
      async (field) => {
        const expected = [{ path: field, message: 'is stamped by the hub and must not be sent' }];
        expect(await errorsOf(alertWith((alert) => (alert[field] = field === 'version' ? 1 : 'x')))).toEqual(expected);
        const update = alertWith((alert) => {
          alert.baseVersion = 1;
          alert[field] = 'x';
        });
        expect(await errorsOf(update, UpdateAlertRequest)).toEqual(expected);
      },
    );

    it('are not declared properties of AlertContent or the alert request classes', () => {
      for (const cls of [AlertContent, SubmitAlertRequest, UpdateAlertRequest]) {
        const declared = getMetadataStorage()
          .getTargetValidationMetadatas(cls, '', true, false)
          .map((metadata) => metadata.propertyName);
        for (const field of HUB_STAMPED_FIELDS) expect(declared).not.toContain(field);
      }
    });
  });

  it('rejects unknown fields at the top and inside nested objects, with their paths', async () => {
    const plain = alertWith((alert) => {
      alert.priority = 'high';
      (alert.evaluation as Record<string, unknown>).grade = 'B2';
      alert.distribution.everyone = true;
    });
    expect((await pathsOf(plain)).sort()).toEqual(['distribution.everyone', 'evaluation.grade', 'priority']);
  });

  it('rejects the keys class-transformer would drop silently (__proto__, constructor)', async () => {
    const plain = JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>;
    Object.assign(plain, validPlainAlert());
    plain.location = JSON.parse('{"country": "TJ", "constructor": "x"}');
    expect(await errorsOf(plain)).toEqual([
      { path: '__proto__', message: 'is not an accepted field' },
      { path: 'location.constructor', message: 'is not an accepted field' },
    ]);
  });

  it.each([[null], [[]], ['alert'], [42], [undefined]])(
    'rejects a document that is not an object (%j) at the empty path',
    async (plain) => {
      expect(await errorsOf(plain)).toEqual([{ path: '', message: 'must be a JSON object' }]);
    },
  );

  it('reports every missing required field as required', async () => {
    const paths = await pathsOf({});
    expect(paths).toEqual([
      'status',
      'category',
      'urgency',
      'severity',
      'certainty',
      'headline',
      'tlp',
      'handlingCode',
      'evaluation',
      'distribution',
      'location',
      'subjects',
    ]);
    expect(new Set((await errorsOf({})).map((error) => error.message))).toEqual(new Set(['is required']));
  });

  it('reads absent recipients, sharing groups and references as empty lists, and still refuses null', async () => {
    const plain = alertWith((alert) => {
      alert.distribution = { scope: 'regional' } as PlainAlert['distribution'];
      delete alert.references;
    });
    const result = await parseContent(plain, SubmitAlertRequest);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.value.distribution).toEqual({ scope: 'regional', recipients: [], sharingGroups: [] });
    expect(result.value.references).toEqual([]);
    expect(
      await pathsOf(
        alertWith(
          (alert) =>
            (alert.distribution = {
              scope: 'regional',
              recipients: null,
              sharingGroups: null,
            } as unknown as PlainAlert['distribution']),
        ),
      ),
    ).toEqual(['distribution.recipients', 'distribution.sharingGroups']);
  });

  it('names the failing fields inside nested objects', async () => {
    const plain = alertWith((alert) => {
      alert.evaluation = { source: 'D', information: '2' };
      alert.distribution.scope = 'national';
      alert.location = { country: 'tj' };
    });
    expect(await errorsOf(plain)).toEqual([
      { path: 'evaluation.source', message: 'must be one of: A, B, C, X' },
      { path: 'evaluation.information', message: 'must be one of: 1, 2, 3, 4' },
      { path: 'distribution.scope', message: 'must be one of: regional, restricted' },
      { path: 'location.country', message: expect.stringMatching(/ISO 3166-1 alpha-2/) },
    ]);
  });

  it('reports a nested object given as a scalar once, as not an object', async () => {
    expect(await errorsOf(alertWith((alert) => (alert.evaluation = 'B2')))).toEqual([
      { path: 'evaluation', message: 'must be an object' },
    ]);
  });

  describe('lists of ids', () => {
    it('reports each bad or repeated recipient at its own index', async () => {
      const plain = alertWith((alert) => (alert.distribution.recipients = ['KG-BS', 'kg-bs', 'KG-BS', 42, 'UZ-NCDC']));
      expect(await errorsOf(plain)).toEqual([
        { path: 'distribution.recipients[1]', message: 'must be an agency id such as TJ-DCA or CARICC' },
        { path: 'distribution.recipients[2]', message: 'is listed more than once' },
        { path: 'distribution.recipients[3]', message: 'must be an agency id such as TJ-DCA or CARICC' },
      ]);
    });

    it('reports bad sharing group ids and references at their index', async () => {
      const plain = alertWith((alert) => {
        alert.distribution.sharingGroups = ['ok', '', 'tab\there'];
        alert.references = ['3F1C2B9E-8D4A-4C5E-9B7F-0A1B2C3D4E5F', 'not-a-uuid'];
      });
      expect(await pathsOf(plain)).toEqual([
        'distribution.sharingGroups[1]',
        'distribution.sharingGroups[2]',
        'references[0]',
        'references[1]',
      ]);
    });

    it('reports a list given as a scalar at the list itself', async () => {
      expect(
        await errorsOf(alertWith((alert) => (alert.distribution.recipients = 'KG-BS' as unknown as unknown[]))),
      ).toEqual([{ path: 'distribution.recipients', message: 'must be an array' }]);
    });
  });

  describe('size limits', () => {
    it.each<[string, number, (alert: PlainAlert, size: number) => void]>([
      ['headline', 160, (alert, size) => (alert.headline = text(size))],
      ['description', 8000, (alert, size) => (alert.description = text(size))],
      [
        'handlingConditions',
        2000,
        (alert, size) => {
          alert.handlingCode = 'H3';
          alert.handlingConditions = text(size);
        },
      ],
      ['location.place', 200, (alert, size) => ((alert.location as Record<string, unknown>).place = text(size))],
      ['subjects[0].fullName', 200, (alert, size) => (alert.subjects = [{ type: 'person', fullName: text(size) }])],
      [
        'subjects[0].concealment',
        500,
        (alert, size) =>
          (alert.subjects = [{ type: 'consignment', substance: 'x', quantityKg: 1, concealment: text(size) }]),
      ],
      [
        'subjects[0].substance',
        200,
        (alert, size) => (alert.subjects = [{ type: 'consignment', substance: text(size), quantityKg: 1 }]),
      ],
      [
        'subjects[0].documentNumber',
        50,
        (alert, size) => (alert.subjects = [{ type: 'person', fullName: 'x', documentNumber: text(size) }]),
      ],
      [
        'subjects[0].plate',
        20,
        (alert, size) => (alert.subjects = [{ type: 'vehicle', plate: text(size), registrationCountry: 'KG' }]),
      ],
      ['distribution.recipients', 100, (alert, size) => (alert.distribution.recipients = agencyIds(size))],
      ['distribution.sharingGroups', 20, (alert, size) => (alert.distribution.sharingGroups = agencyIds(size))],
      [
        'subjects',
        50,
        (alert, size) =>
          (alert.subjects = Array.from({ length: size }, () => ({ type: 'container', number: 'CSQU3054383' }))),
      ],
      ['references', 20, (alert, size) => (alert.references = uuids(size))],
    ])('%s accepts %d and rejects one more', async (path, limit, setSize) => {
      expect(await errorsOf(alertWith((alert) => setSize(alert, limit)))).toEqual([]);
      expect(await pathsOf(alertWith((alert) => setSize(alert, limit + 1)))).toEqual([path]);
    });

    it('counts characters, not UTF-16 units', async () => {
      expect(await errorsOf(alertWith((alert) => (alert.headline = '🚢'.repeat(160))))).toEqual([]);
    });

    it('rejects an empty headline and a blank one', async () => {
      expect(await errorsOf(alertWith((alert) => (alert.headline = '')))).toEqual([
        { path: 'headline', message: 'must be 1 to 160 characters long' },
      ]);
      expect(await errorsOf(alertWith((alert) => (alert.headline = ' \u00a0 ')))).toEqual([
        { path: 'headline', message: 'must not be blank' },
      ]);
    });
  });

  describe('text content', () => {
    it('keeps single-line fields on one line and free of control characters', async () => {
      expect(await pathsOf(alertWith((alert) => (alert.headline = 'two\nlines')))).toEqual(['headline']);
      expect(await pathsOf(alertWith((alert) => (alert.headline = 'bell\u0007')))).toEqual(['headline']);
      expect(await pathsOf(alertWith((alert) => (alert.headline = 'line\u2028separator')))).toEqual(['headline']);
    });

    it('allows line breaks and tabs in the description but no other control characters', async () => {
      expect(await errorsOf(alertWith((alert) => (alert.description = 'a\r\n\tb')))).toEqual([]);
      expect(await pathsOf(alertWith((alert) => (alert.description = 'nul\u0000')))).toEqual(['description']);
    });

    it('accepts Cyrillic and Arabic script', async () => {
      const plain = alertWith((alert) => {
        alert.headline = 'Контейнер с героином — Нижний Пяндж';
        alert.subjects = [
          { type: 'vehicle', plate: 'А 123 ВС', registrationCountry: 'TJ' },
          { type: 'person', fullName: 'محمد کریمی' },
        ];
      });
      expect(await errorsOf(plain)).toEqual([]);
    });
  });

  describe('optional fields', () => {
    it('are absent or valid: null is rejected', async () => {
      const plain = alertWith((alert) => {
        alert.description = null;
        (alert.location as Record<string, unknown>).place = null;
      });
      expect(await errorsOf(plain)).toEqual([
        { path: 'description', message: 'must be a string' },
        { path: 'location.place', message: 'must be a string' },
      ]);
    });

    it('require lat and lon together and within range', async () => {
      expect(await errorsOf(alertWith((alert) => (alert.location = { country: 'TJ', lat: 37 })))).toEqual([
        { path: 'location.lon', message: 'is required' },
      ]);
      expect(await errorsOf(alertWith((alert) => (alert.location = { country: 'TJ', lon: 68 })))).toEqual([
        { path: 'location.lat', message: 'is required' },
      ]);
      expect(await pathsOf(alertWith((alert) => (alert.location = { country: 'TJ', lat: 90.5, lon: -181 })))).toEqual([
        'location.lat',
        'location.lon',
      ]);
      expect(await errorsOf(alertWith((alert) => (alert.location = { country: 'TJ', lat: -90, lon: 180 })))).toEqual(
        [],
      );
    });
  });

  it('requires an offset on expiresAt but does not judge whether it has passed', async () => {
    expect(await pathsOf(alertWith((alert) => (alert.expiresAt = '2030-06-01T12:00:00')))).toEqual(['expiresAt']);
    // Kafka consumers re-validate old messages: an expired alert is still a well-formed one.
    expect(await errorsOf(alertWith((alert) => (alert.expiresAt = '2001-01-01T00:00:00Z')))).toEqual([]);
  });

  it('takes the information grade as an integer, not a string', async () => {
    expect(await pathsOf(alertWith((alert) => (alert.evaluation = { source: 'A', information: '1' })))).toEqual([
      'evaluation.information',
    ]);
  });
});

describe('validateContent on the other request bodies', () => {
  it('UpdateAlertRequest needs a baseVersion that is an integer of at least 1', async () => {
    const update = (baseVersion: unknown): PlainAlert => alertWith((alert) => (alert.baseVersion = baseVersion));
    expect(await errorsOf(update(3), UpdateAlertRequest)).toEqual([]);
    expect(await errorsOf(validPlainAlert(), UpdateAlertRequest)).toEqual([
      { path: 'baseVersion', message: 'is required' },
    ]);
    for (const bad of [0, -1, 1.5, '1', null]) {
      expect(await pathsOf(update(bad), UpdateAlertRequest)).toEqual(['baseVersion']);
    }
  });

  it('SubmitAlertRequest does not accept baseVersion', async () => {
    expect(await pathsOf(alertWith((alert) => (alert.baseVersion = 1)))).toEqual(['baseVersion']);
  });

  it('CancelAlertRequest needs a reason of 1 to 2000 characters', async () => {
    expect(await errorsOf({ reason: 'Consignment was legitimate' }, CancelAlertRequest)).toEqual([]);
    expect(await errorsOf({ reason: text(2000) }, CancelAlertRequest)).toEqual([]);
    expect(await errorsOf({}, CancelAlertRequest)).toEqual([{ path: 'reason', message: 'is required' }]);
    expect(await pathsOf({ reason: text(2001) }, CancelAlertRequest)).toEqual(['reason']);
    expect(await pathsOf({ reason: '   ' }, CancelAlertRequest)).toEqual(['reason']);
    expect(await pathsOf({ reason: 'x', alertId: 'y' }, CancelAlertRequest)).toEqual(['alertId']);
  });

  it('AckRequest takes a version, a status and an optional note', async () => {
    expect(await errorsOf({ version: 2, status: 'actioned' }, AckRequest)).toEqual([]);
    expect(await errorsOf({ version: 1, status: 'rejected', note: 'Not our jurisdiction' }, AckRequest)).toEqual([]);
    expect(await pathsOf({ version: 0, status: 'read', note: text(2001), by: 'me' }, AckRequest)).toEqual([
      'by',
      'version',
      'status',
      'note',
    ]);
  });
});

describe('validateContent on a Kafka message carrying an alert', () => {
  const message = (alert: PlainAlert): Record<string, unknown> => ({
    messageId: '9b2f8a3e-1c4d-4e5f-8a6b-7c8d9e0f1a2b',
    kind: 'alert',
    alertId: '3f1c2b9e-8d4a-4c5e-9b7f-0a1b2c3d4e5f',
    version: 1,
    sender: 'TJ-DCA',
    senderKeyId: 'key-1',
    receivedAt: '2025-05-01T10:00:00Z',
    alert,
  });

  it('builds the subject classes inside the nested alert', async () => {
    const result = await parseContent(message(validPlainAlert()), AlertSubmittedMessage);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.value.alert.subjects[2]).toBeInstanceOf(ContainerSubject);
  });

  it('reports nested problems under the alert path', async () => {
    const plain = message(alertWith((alert) => (alert.subjects = [{ type: 'container', number: 'CSQU3054384' }])));
    expect(await errorsOf(plain, AlertSubmittedMessage)).toEqual([
      { path: 'alert.subjects[0].number', message: 'container number check digit is wrong (expected 3)' },
    ]);
  });
});

describe('flattenValidationErrors', () => {
  it('turns class-validator error trees into dotted and indexed paths', async () => {
    const instance = plainToInstance(
      AlertContent,
      alertWith((alert) => {
        alert.subjects = [
          { type: 'container', number: 'CSQU3054383' },
          { type: 'container', number: 'CSQU3054384' },
        ];
        alert.evaluation = { source: 'Q', information: 1 };
      }),
    );
    const flat = flattenValidationErrors(await validate(instance));
    expect(flat).toEqual([
      { path: 'evaluation.source', message: 'must be one of: A, B, C, X' },
      { path: 'subjects[1].number', message: 'container number check digit is wrong (expected 3)' },
    ]);
  });

  it('falls back to one message at the list when class-validator was told not to report values', async () => {
    const instance = plainToInstance(
      AlertContent,
      alertWith((alert) => (alert.distribution.recipients = ['KG-BS', 'bad'])),
    );
    const flat = flattenValidationErrors(await validate(instance, { validationError: { value: false } }));
    expect(flat).toEqual([
      { path: 'distribution.recipients', message: '[1] must be an agency id such as TJ-DCA or CARICC' },
    ]);
  });
});
