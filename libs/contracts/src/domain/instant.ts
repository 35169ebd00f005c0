/**
 * Timestamps in the contract are ISO 8601 date-times with an explicit offset (RFC 3339 profile):
 * a time without an offset means a different instant in each capital, which a cross-border alert cannot afford.
 */
const INSTANT_FORMAT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;
const CALENDAR_DATE_FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

function isRealDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Milliseconds since the epoch, or null when the value is not a valid date-time with offset. */
export function parseInstant(value: unknown): number | null {
  const match = typeof value === 'string' ? INSTANT_FORMAT.exec(value) : null;
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction, zone, sign, offsetHours, offsetMinutes] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (!isRealDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  let offsetMs = 0;
  if (zone !== 'Z') {
    const oh = Number(offsetHours);
    const om = Number(offsetMinutes);
    if (oh > 23 || om > 59) return null;
    offsetMs = (sign === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  return utc.getTime() - offsetMs;
}

export function isIsoInstant(value: unknown): value is string {
  return parseInstant(value) !== null;
}

/** A calendar date YYYY-MM-DD that exists (no 2023-02-29). */
export function isIsoCalendarDate(value: unknown): value is string {
  const match = typeof value === 'string' ? CALENDAR_DATE_FORMAT.exec(value) : null;
  return match !== null && isRealDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** Start of the given calendar date in UTC, in ms; null when it is not a valid date. */
export function calendarDateStart(value: unknown): number | null {
  if (!isIsoCalendarDate(value)) return null;
  const [year, month, day] = value.split('-').map(Number);
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  return utc.getTime();
}
