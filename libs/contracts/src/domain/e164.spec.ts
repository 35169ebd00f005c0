import { isE164 } from './e164';

describe('isE164', () => {
  it.each([
    '+992372212345', // Tajikistan, Dushanbe
    '+996312123456', // Kyrgyzstan
    '+77172123456', // Kazakhstan
    '+12025550123',
    '+12345678', // 8 digits, the shortest accepted
    '+123456789012345', // 15 digits, the longest E.164 allows
  ])('accepts %s', (value) => expect(isE164(value)).toBe(true));

  it.each([
    ['+1234567', 'only 7 digits'],
    ['+1234567890123456', '16 digits'],
    ['+0992372212345', 'country code starting with 0'],
    ['992372212345', 'no plus'],
    ['+992 37 221 2345', 'spaces'],
    ['+992-372-212345', 'hyphens'],
    ['++992372212345', 'double plus'],
    ['+99237221234a', 'a letter'],
    ['', 'empty'],
  ])('rejects %j (%s)', (value) => expect(isE164(value)).toBe(false));

  it.each([null, undefined, 992372212345])('rejects the non-string %j', (value) => expect(isE164(value)).toBe(false));
});
