import { calendarDateStart, isIsoCalendarDate, isIsoInstant, parseInstant } from './instant';

describe('parseInstant', () => {
  it.each([
    ['2030-06-01T12:00:00Z', Date.UTC(2030, 5, 1, 12)],
    ['2030-06-01T14:00:00+02:00', Date.UTC(2030, 5, 1, 12)],
    ['2030-06-01T07:30:00-04:30', Date.UTC(2030, 5, 1, 12)],
    ['2030-06-01T12:00:00.250Z', Date.UTC(2030, 5, 1, 12, 0, 0, 250)],
    ['2030-06-01T12:00:00.123456789Z', Date.UTC(2030, 5, 1, 12, 0, 0, 123)],
    ['2028-02-29T00:00:00Z', Date.UTC(2028, 1, 29)],
    ['0099-01-01T00:00:00Z', Date.parse('0099-01-01T00:00:00Z')], // two-digit years are not shifted to 19xx
  ])('reads %s as the right instant', (value, expected) => {
    expect(parseInstant(value)).toBe(expected);
    expect(isIsoInstant(value)).toBe(true);
  });

  it.each([
    ['2030-06-01T12:00:00', 'no offset'],
    ['2030-06-01', 'date only'],
    ['2030-06-01 12:00:00Z', 'space separator'],
    ['2030-06-01t12:00:00z', 'lower case'],
    ['2030-02-29T00:00:00Z', 'not a leap year'],
    ['2030-13-01T00:00:00Z', 'month 13'],
    ['2030-04-31T00:00:00Z', 'April 31st'],
    ['2030-06-01T24:00:00Z', 'hour 24'],
    ['2030-06-01T12:60:00Z', 'minute 60'],
    ['2030-06-01T12:00:60Z', 'second 60'],
    ['2030-06-01T12:00:00+24:00', 'offset 24h'],
    ['2030-06-01T12:00:00+0200', 'offset without colon'],
    ['2030-06-01T12:00:00.Z', 'empty fraction'],
    ['0000-01-01T00:00:00Z', 'year zero'],
    ['', 'empty'],
  ])('rejects %j (%s)', (value) => {
    expect(parseInstant(value)).toBeNull();
    expect(isIsoInstant(value)).toBe(false);
  });

  it.each([null, 1906545600000, new Date()])('rejects the non-string %j', (value) =>
    expect(parseInstant(value)).toBeNull(),
  );
});

describe('calendar dates', () => {
  it.each(['1984-03-21', '2000-02-29', '1900-12-31'])('accepts %s', (value) =>
    expect(isIsoCalendarDate(value)).toBe(true),
  );

  it.each(['1900-02-29', '1984-3-21', '1984-03-21T00:00:00Z', '21.03.1984', '1984-00-10', '1984-03-32', ''])(
    'rejects %j',
    (value) => expect(isIsoCalendarDate(value)).toBe(false),
  );

  it('gives the start of the day in UTC', () => {
    expect(calendarDateStart('1984-03-21')).toBe(Date.UTC(1984, 2, 21));
    expect(calendarDateStart('1984-02-30')).toBeNull();
  });
});
