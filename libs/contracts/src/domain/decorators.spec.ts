import { validate } from 'class-validator';
import { IsE164, IsImoNumber, IsIso6346, IsIsoCalendarDate, IsIsoCountry, IsIsoInstant } from './decorators';

class Sample {
  @IsIsoCountry() country: unknown;
  @IsIso6346() container: unknown;
  @IsImoNumber() imo: unknown;
  @IsE164() phone: unknown;
  @IsIsoInstant() at: unknown;
  @IsIsoCalendarDate() born: unknown;
}

function sample(overrides: Partial<Record<keyof Sample, unknown>>): Sample {
  return Object.assign(new Sample(), {
    country: 'TJ',
    container: 'CSQU3054383',
    imo: 'IMO 9074729',
    phone: '+992372212345',
    at: '2030-01-01T00:00:00Z',
    born: '1984-03-21',
    ...overrides,
  });
}

async function messages(overrides: Partial<Record<keyof Sample, unknown>>): Promise<Record<string, string[]>> {
  const errors = await validate(sample(overrides));
  return Object.fromEntries(errors.map((error) => [error.property, Object.values(error.constraints ?? {})]));
}

describe('domain decorators', () => {
  it('pass valid values', async () => {
    expect(await messages({})).toEqual({});
  });

  it('name the expected check digit of a container number', async () => {
    expect(await messages({ container: 'CSQU3054384' })).toEqual({
      container: ['container number check digit is wrong (expected 3)'],
    });
  });

  it('explain the container number format when it is malformed', async () => {
    expect((await messages({ container: 'CSQU 305438 3' })).container[0]).toMatch(
      /^must be an ISO 6346 container number/,
    );
  });

  it('name the expected check digit of an IMO number', async () => {
    expect(await messages({ imo: 'IMO 9074720' })).toEqual({ imo: ['IMO number check digit is wrong (expected 9)'] });
  });

  it('explain the IMO format when it is malformed', async () => {
    expect((await messages({ imo: '9074729' })).imo[0]).toMatch(/^must be an IMO ship number/);
  });

  it('reject a reserved country code, a non-E.164 phone, a local time and an impossible date', async () => {
    const result = await messages({
      country: 'XK',
      phone: '0992372212345',
      at: '2030-01-01T00:00:00',
      born: '1984-02-30',
    });
    expect(Object.keys(result).sort()).toEqual(['at', 'born', 'country', 'phone']);
    expect(result.country[0]).toMatch(/ISO 3166-1 alpha-2/);
    expect(result.phone[0]).toMatch(/E\.164/);
    expect(result.at[0]).toMatch(/time zone offset/);
    expect(result.born[0]).toMatch(/YYYY-MM-DD/);
  });

  it('reject non-strings without throwing', async () => {
    const result = await messages({ country: 1, container: null, imo: {}, phone: 992, at: 0, born: [] });
    expect(Object.keys(result)).toHaveLength(6);
  });
});
