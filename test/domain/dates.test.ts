import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, isIsoDate, parseUpstreamDate, parseUpstreamInstant, toIsoDate } from '../../src/domain/dates.js';

/**
 * parseUpstreamDate reads the usual shapes without a Date (issue 16). Whatever it is given, its
 * answer must be the one the Date-based reading gives: the calendar date (UTC) of the instant.
 */
function throughDate(value: unknown): string | null {
  const instant = parseUpstreamInstant(value);
  return instant ? toIsoDate(instant) : null;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

describe('Dates: parseUpstreamDate', () => {
  it('agrees with the Date-based reading for epoch milliseconds and seconds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.integer({ min: 0, max: 99_999_999_999 }), fc.double({ min: 0, max: 4e12, noNaN: true })), (value) => {
        expect(parseUpstreamDate(value)).toBe(throughDate(value));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the Date-based reading for ISO dates and UTC timestamps, impossible ones included', () => {
    const text = fc
      .record({
        year: fc.integer({ min: 1, max: 9999 }),
        month: fc.integer({ min: 0, max: 13 }),
        day: fc.integer({ min: 0, max: 32 }),
        time: fc.option(fc.record({ hour: fc.integer({ min: 0, max: 24 }), minute: fc.integer({ min: 0, max: 60 }), second: fc.option(fc.integer({ min: 0, max: 60 })), zone: fc.constantFrom('', 'Z', '+05:30', '-08:00') })),
      })
      .map(({ year, month, day, time }) => {
        const date = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
        if (!time) return date;
        return `${date}T${pad(time.hour)}:${pad(time.minute)}${time.second === null ? '' : `:${pad(time.second)}.123`}${time.zone}`;
      });
    fc.assert(
      fc.property(text, (value) => {
        expect(parseUpstreamDate(value)).toBe(throughDate(value));
      }),
      { numRuns: 5000 },
    );
  });

  it('reads the shapes the upstreams send', () => {
    expect(parseUpstreamDate(1_767_225_600_000)).toBe('2026-01-01');
    expect(parseUpstreamDate(1_767_225_599)).toBe('2025-12-31');
    expect(parseUpstreamDate('2024-02-29')).toBe('2024-02-29');
    expect(parseUpstreamDate('2026-10-07T23:59:59.1236641')).toBe('2026-10-07');
    expect(parseUpstreamDate('2026-10-07T23:30:00-05:00')).toBe('2026-10-08');
    expect(parseUpstreamDate('')).toBeNull();
    expect(parseUpstreamDate('not a date')).toBeNull();
  });
});

describe('Dates: isIsoDate', () => {
  /** The Date-based check isIsoDate replaced (issue 16): a date is real when Date writes it back unchanged. */
  function throughDateUtc(text: string): boolean {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    if (!match) return false;
    return toIsoDate(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])))) === text;
  }

  it('agrees with the Date-based check on real and impossible dates of every year, and refuses other shapes', () => {
    const date = fc
      .record({ year: fc.integer({ min: 0, max: 9999 }), month: fc.integer({ min: 0, max: 13 }), day: fc.integer({ min: 0, max: 32 }) })
      .map(({ year, month, day }) => `${pad(year, 4)}-${pad(month)}-${pad(day)}`);
    fc.assert(
      fc.property(fc.oneof(date, fc.string({ maxLength: 12 })), (text) => {
        expect(isIsoDate(text)).toBe(throughDateUtc(text));
      }),
      { numRuns: 10_000 },
    );
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2000-02-29')).toBe(true);
  });
});

describe('addDays', () => {
  /** The Date-based computation addDays replaced on its usual path. */
  function throughDate(isoDate: string, days: number): string {
    const date = new Date(`${isoDate}T00:00:00.000Z`);
    date.setUTCDate(date.getUTCDate() + days);
    return toIsoDate(date);
  }

  it('agrees with the Date-based computation for real dates of every year and any whole or fractional term', () => {
    const date = fc
      .record({ year: fc.integer({ min: 100, max: 9999 }), month: fc.integer({ min: 1, max: 12 }), day: fc.integer({ min: 1, max: 31 }) })
      .map(({ year, month, day }) => `${pad(year, 4)}-${pad(month)}-${pad(day)}`)
      .filter((text) => isIsoDate(text));
    const days = fc.oneof(fc.integer({ min: -40_000, max: 40_000 }), fc.integer({ min: -3_000_000, max: 3_000_000 }), fc.double({ min: -1000, max: 1000, noNaN: true }));
    fc.assert(
      fc.property(date, days, (isoDate, term) => {
        expect(addDays(isoDate, term)).toBe(throughDate(isoDate, term));
      }),
      { numRuns: 20_000 },
    );
    expect(addDays('2024-01-31', 30)).toBe('2024-03-01');
    expect(addDays('2023-12-31', 1)).toBe('2024-01-01');
    expect(addDays('1970-01-01', -1)).toBe('1969-12-31');
  });

  it('answers an impossible date as the Date path does (a RangeError where Date cannot read it)', () => {
    for (const isoDate of ['2023-02-30', '2023-02-29', '2023-13-01', '2023-00-10', '2023-04-31']) {
      let expected: string | Error;
      try {
        expected = throughDate(isoDate, 1);
      } catch (error) {
        expected = error as Error;
      }
      if (expected instanceof Error) expect(() => addDays(isoDate, 1)).toThrow(RangeError);
      else expect(addDays(isoDate, 1)).toBe(expected);
    }
  });
});
