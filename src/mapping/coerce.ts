/**
 * Converting text between the value forms the two APIs carry. Both carry every value as
 * text; what differs is the form of numbers, booleans and dates:
 * - HubSpot returns dates as `YYYY-MM-DD` (older portals: epoch ms at midnight UTC) and
 *   datetimes as ISO `…Z`; it accepts epoch ms or ISO on write.
 *   https://developers.hubspot.com/docs/api/crm/properties#date-and-datetime-properties
 * - Salesforce returns datetimes as `2026-01-02T00:00:00.000+0000` and accepts ISO-8601;
 *   dates are `YYYY-MM-DD`. Booleans are `true`/`false` on both sides.
 * So one output form per type works for both targets: `YYYY-MM-DD` for dates and
 * `…T…Z` for datetimes.
 */

export const VALUE_TYPES = ['text', 'number', 'integer', 'boolean', 'date', 'datetime'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

export type Coerced = { ok: true; value: string } | { ok: false; reason: string };

// Plain decimal notation only: `Number()` alone would also take `0x1F`, `Infinity` and ``.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// Epoch milliseconds have 9+ digits after 1970-01-02; shorter numbers (`1200`) are not dates.
const EPOCH_MS = /^-?\d{9,16}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', 'on', 'checked']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', 'off', 'unchecked']);

export function parseNumber(text: string): number | undefined {
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** Four-digit years only: 0001-01-01T00:00:00.000Z … 9999-12-31T23:59:59.999Z, as both APIs print them. */
const MIN_INSTANT = -62_135_596_800_000;
const MAX_INSTANT = 253_402_300_799_999;

/** Epoch ms of an epoch-ms number, an ISO date (midnight UTC) or an ISO datetime (no zone = UTC). */
export function parseInstant(text: string): number | undefined {
  const at = parseAnyInstant(text);
  return at === undefined || at < MIN_INSTANT || at > MAX_INSTANT ? undefined : at;
}

function parseAnyInstant(text: string): number | undefined {
  const t = text.trim();
  if (EPOCH_MS.test(t)) return Number(t);
  const date = DATE.exec(t);
  if (date) {
    const [, y, m, d] = date;
    return validDay(Number(y), Number(m), Number(d)) ? Date.UTC(Number(y), Number(m) - 1, Number(d)) : undefined;
  }
  const dt = DATETIME.exec(t);
  if (!dt) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = dt;
  if (!validDay(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59)
    return undefined;
  const ms = Number((frac ?? '0').padEnd(3, '0').slice(0, 3));
  let at = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
  if (zone && zone.toUpperCase() !== 'Z') {
    // Salesforce prints `+0000`, ISO allows `+00:00`: both are accepted.
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    at -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return at;
}

function validDay(y: number, m: number, d: number): boolean {
  const at = new Date(Date.UTC(y, m - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === m - 1 && at.getUTCDate() === d;
}

const TYPE_WORDS: Record<ValueType, string> = {
  text: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  date: 'a date (YYYY-MM-DD)',
  datetime: 'a date and time (ISO 8601)',
};

/** How a type reads in a sentence: "is not a whole number". */
export function describeType(type: ValueType): string {
  return TYPE_WORDS[type];
}

/** A value in the API form of `type`, or the reason it cannot be one. */
export function coerceValue(type: ValueType, text: string): Coerced {
  const t = text.trim();
  const fail = (): Coerced => ({ ok: false, reason: `"${preview(text)}" is not ${TYPE_WORDS[type]}` });
  switch (type) {
    case 'text':
      return { ok: true, value: text };
    case 'number': {
      const n = parseNumber(t);
      return n === undefined ? fail() : { ok: true, value: String(n) };
    }
    case 'integer': {
      const n = parseNumber(t);
      return n === undefined || !Number.isInteger(n) ? fail() : { ok: true, value: String(n) };
    }
    case 'boolean': {
      const lower = t.toLowerCase();
      if (TRUE_WORDS.has(lower)) return { ok: true, value: 'true' };
      if (FALSE_WORDS.has(lower)) return { ok: true, value: 'false' };
      return fail();
    }
    case 'date': {
      const at = parseInstant(t);
      return at === undefined ? fail() : { ok: true, value: new Date(at).toISOString().slice(0, 10) };
    }
    case 'datetime': {
      const at = parseInstant(t);
      return at === undefined ? fail() : { ok: true, value: new Date(at).toISOString() };
    }
  }
}

/** Short enough for a message; a long value is cut rather than repeated whole. */
export function preview(value: string, max = 40): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
