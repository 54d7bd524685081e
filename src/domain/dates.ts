/**
 * The upstreams send dates four ways: epoch milliseconds (IQM lists), epoch seconds (IQM's own
 * samples, although its table says milliseconds), ISO-8601 with or without a zone (Intact, iQmetrix,
 * Refrens) and `YYYY-MM-DD`. These functions are the only place that reads them.
 */

/** Epoch values below this are seconds: 1e11 ms is March 1973, 1e11 s is the year 5138. */
const SECONDS_THRESHOLD = 1e11;

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_NO_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;
const LONG_FRACTION = /(\.\d{3})\d+/;

/** Reads any upstream date or timestamp as an instant, treating zone-less values as UTC. */
export function parseUpstreamInstant(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    return new Date(value < SECONDS_THRESHOLD ? value * 1000 : value);
  }
  if (typeof value !== 'string') return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return parseUpstreamInstant(Number(text));
  if (DATE_ONLY.test(text)) return validDate(new Date(`${text}T00:00:00.000Z`));
  // Seven-digit .NET fractions ("41.1236641") are not ISO-8601 for Date.parse; keep milliseconds.
  const trimmed = text.replace(LONG_FRACTION, '$1');
  return validDate(new Date(ISO_NO_ZONE.test(trimmed) ? `${trimmed}Z` : trimmed));
}

/**
 * Reads an upstream date as a calendar date `YYYY-MM-DD` (UTC). The usual shapes — epoch
 * milliseconds or seconds, `YYYY-MM-DD`, a valid UTC ISO timestamp — are read with arithmetic and
 * string slices, without a Date per value (one per row and field adds up); anything else goes
 * through parseUpstreamInstant, with the same answers (test/domain/dates.test.ts checks both agree).
 */
export function parseUpstreamDate(value: unknown): string | null {
  if (typeof value === 'number' && value >= MIN_EPOCH_MS && value <= MAX_EPOCH_MS) {
    const ms = value < SECONDS_THRESHOLD ? value * 1000 : value;
    if (ms <= MAX_EPOCH_MS) return dateOfDay(Math.floor(ms / MS_PER_DAY));
  }
  if (typeof value === 'string') {
    const match = UTC_DATE_TIME.exec(value);
    if (match && isRealDateTime(match)) return value.slice(0, 10);
  }
  const instant = parseUpstreamInstant(value);
  return instant ? toIsoDate(instant) : null;
}

const MS_PER_DAY = 86_400_000;
/** 1970-01-01 up to the end of 9999: the range whose dates toISOString writes as `YYYY-MM-DD`. */
const MIN_EPOCH_MS = 0;
const MAX_EPOCH_MS = 253_402_300_799_999;
/** A date, or a date and time in UTC (`Z` or no zone), whose calendar date is its first ten characters. */
const UTC_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?Z?)?$/;

function isRealDateTime(match: RegExpExecArray): boolean {
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false;
  // 24:00 and leap seconds roll over to another day in Date: those take the slow path.
  return (match[4] === undefined || Number(match[4]) <= 23) && (match[5] === undefined || Number(match[5]) <= 59) && (match[6] === undefined || Number(match[6]) <= 59);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The calendar date of a day number since 1970-01-01 (proleptic Gregorian; H. Hinnant's civil_from_days). */
function dateOfDay(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

export function toIsoDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/**
 * Whether `text` is a real calendar date in `YYYY-MM-DD` form (rejects 2023-02-30). Checked with
 * arithmetic: every Date output field is checked here, so no Date per value (issue 16). Years
 * 0000–0099 are refused, as the Date-based check always did (Date.UTC reads them as 1900–1999);
 * test/domain/dates.test.ts checks the two agree.
 */
export function isIsoDate(text: string): boolean {
  const match = DATE_ONLY.exec(text);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return year >= 100 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** The day number since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function dayOfDate(year: number, month: number, day: number): number {
  const shiftedYear = month <= 2 ? year - 1 : year;
  const era = Math.floor(shiftedYear / 400);
  const yearOfEra = shiftedYear - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * The calendar date `days` after `isoDate` (an IQM invoice's due date: issue date + payment term).
 * A real date and a whole number of days landing in 1970–9999 are computed with day numbers, without
 * a Date (one per IQM invoice read); anything else takes the Date path, with the same answers
 * (test/domain/dates.test.ts checks both agree), an impossible date throwing RangeError as before.
 */
export function addDays(isoDate: string, days: number): string {
  const match = DATE_ONLY.exec(isoDate);
  if (match !== null && Number.isSafeInteger(days)) {
    const year = Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    if (month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
      const shifted = dayOfDate(year, month, day) + days;
      if (shifted >= 0 && shifted * MS_PER_DAY <= MAX_EPOCH_MS) return dateOfDay(shifted);
    }
  }
  const date = new Date(`${isoDate}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return toIsoDate(date);
}

function validDate(date: Date): Date | null {
  return Number.isNaN(date.getTime()) ? null : date;
}
