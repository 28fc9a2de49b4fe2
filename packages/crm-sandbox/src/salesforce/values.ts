/**
 * Value formats of the REST API. Datetimes are stored as the API prints them,
 * `2026-01-02T00:00:00.000+0000` (always UTC, fixed width), so comparing and sorting the
 * strings compares the instants; dates are `YYYY-MM-DD` for the same reason.
 */
import { ApiError } from './errors';
import { type FieldSchema, type FieldValue, ID_TYPES, NUMBER_TYPES, TEXT_TYPES } from './schema';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function formatDateTime(epochMs: number): string {
  const d = new Date(epochMs);
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}+0000`
  );
}

export function formatDate(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Epoch ms of an ISO-8601 date or datetime (offset `Z`, `+hh:mm` or `+hhmm`), else undefined. */
export function parseDateTime(text: string): number | undefined {
  const date = DATE_RE.exec(text);
  if (date) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
    return formatDate(ms) === text ? ms : undefined;
  }
  const m = DATETIME_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s ?? 0),
    Number((frac ?? '0').padEnd(3, '0').slice(0, 3)),
  );
  if (Number.isNaN(ms) || formatDate(Date.UTC(Number(y), Number(mo) - 1, Number(d))) !== `${y}-${mo}-${d}`)
    return undefined;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  return ms;
}

/** `YYYY-MM-DD` of a date given as a date or a datetime, else undefined. */
export function parseDate(text: string): string | undefined {
  if (DATE_RE.test(text)) return parseDateTime(text) === undefined ? undefined : text;
  const ms = parseDateTime(text);
  return ms === undefined ? undefined : formatDate(ms);
}

const SOAP_TYPE_NAMES: Partial<Record<FieldSchema['type'], string>> = {
  boolean: 'boolean',
  int: 'int',
  double: 'double',
  currency: 'double',
  percent: 'double',
  date: 'date',
  datetime: 'datetime',
};

/**
 * Turns a JSON value sent for a field into the stored value. A value of the wrong JSON
 * type fails the whole request the way the platform's JSON reader does (400
 * JSON_PARSER_ERROR), before any record is looked at.
 */
export function coerceInput(f: FieldSchema, raw: unknown): FieldValue {
  if (raw === null) return f.type === 'boolean' ? false : null;
  const reject = (): never => {
    const kind =
      typeof raw === 'string'
        ? 'VALUE_STRING'
        : typeof raw === 'number'
          ? 'VALUE_NUMBER_INT'
          : typeof raw === 'boolean'
            ? 'VALUE_TRUE'
            : 'START_OBJECT';
    throw ApiError.of(
      400,
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of ${SOAP_TYPE_NAMES[f.type] ?? 'string'} from ${kind} value ${typeof raw === 'object' ? JSON.stringify(raw) : String(raw)} or request may be missing a required field`,
    );
  };
  if (TEXT_TYPES.has(f.type) || ID_TYPES.has(f.type)) {
    // The platform stores an empty text value as null.
    if (typeof raw === 'string') return raw === '' ? null : raw;
    if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
    return reject();
  }
  if (f.type === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
    return reject();
  }
  if (NUMBER_TYPES.has(f.type)) {
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
    if (!Number.isFinite(n)) return reject();
    if (f.type === 'int' && !Number.isInteger(n)) return reject();
    return n;
  }
  if (f.type === 'date') {
    if (typeof raw !== 'string') return reject();
    if (raw === '') return null;
    return parseDate(raw) ?? reject();
  }
  if (f.type === 'datetime') {
    if (typeof raw !== 'string') return reject();
    if (raw === '') return null;
    const ms = parseDateTime(raw);
    return ms === undefined ? reject() : formatDateTime(ms);
  }
  return reject();
}
