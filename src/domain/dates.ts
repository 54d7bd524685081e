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

/** Reads an upstream date as a calendar date `YYYY-MM-DD` (UTC). */
export function parseUpstreamDate(value: unknown): string | null {
  const instant = parseUpstreamInstant(value);
  return instant ? toIsoDate(instant) : null;
}

export function toIsoDate(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Whether `text` is a real calendar date in `YYYY-MM-DD` form (rejects 2023-02-30). */
export function isIsoDate(text: string): boolean {
  const match = DATE_ONLY.exec(text);
  if (!match) return false;
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return toIsoDate(date) === text;
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return toIsoDate(date);
}

function validDate(date: Date): Date | null {
  return Number.isNaN(date.getTime()) ? null : date;
}
