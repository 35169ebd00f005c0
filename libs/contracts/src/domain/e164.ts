/** E.164: "+", a country code that never starts with 0, 8 to 15 digits in all, no separators. */
const E164_FORMAT = /^\+[1-9]\d{7,14}$/;

export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164_FORMAT.test(value);
}
