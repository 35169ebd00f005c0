import { ISO_COUNTRY_CODES, isIsoCountry } from './iso-country';

describe('isIsoCountry', () => {
  it('holds exactly the 249 officially assigned codes, each once, in order', () => {
    expect(ISO_COUNTRY_CODES).toHaveLength(249);
    expect(new Set(ISO_COUNTRY_CODES).size).toBe(249);
    expect([...ISO_COUNTRY_CODES].sort()).toEqual([...ISO_COUNTRY_CODES]);
  });

  it.each(['TJ', 'KG', 'KZ', 'UZ', 'TM', 'AF', 'RU', 'CN', 'IR', 'PK', 'AZ', 'GB', 'SS', 'BQ', 'CW', 'SX', 'AX'])(
    'accepts %s',
    (code) => expect(isIsoCountry(code)).toBe(true),
  );

  it.each([
    ['XK', 'user-assigned (Kosovo)'],
    ['EU', 'exceptionally reserved'],
    ['UK', 'exceptionally reserved'],
    ['SU', 'transitionally reserved (USSR)'],
    ['YU', 'transitionally reserved'],
    ['AN', 'deleted (Netherlands Antilles)'],
    ['ZZ', 'user-assigned'],
    ['AA', 'user-assigned'],
  ])('rejects %s (%s)', (code) => expect(isIsoCountry(code)).toBe(false));

  it.each(['tj', 'Tj', ' TJ', 'TJ ', 'TJK', 'T', '', '12'])('rejects the non-canonical form %j', (code) => {
    expect(isIsoCountry(code)).toBe(false);
  });

  it.each([null, undefined, 7, {}, ['TJ']])('rejects the non-string %j', (value) => {
    expect(isIsoCountry(value)).toBe(false);
  });
});
