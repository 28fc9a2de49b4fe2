/**
 * SOQL literal values: quoted strings with their escape sequences, LIKE patterns, and
 * the relative date literals (TODAY, LAST_N_DAYS:n, …) as half-open UTC ranges.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_quotedstringescapes.htm
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_dateformats.htm
 */
import { SoqlError } from './types';

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  N: '\n',
  r: '\r',
  R: '\r',
  t: '\t',
  T: '\t',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

/**
 * The text of a quoted literal. `\_` and `\%` stay escaped when `forLike` (they are the
 * LIKE wildcards' escapes); elsewhere they stand for the plain characters.
 */
export function unquote(raw: string, forLike = false): string {
  const body = raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2 ? raw.slice(1, -1) : raw;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body.charAt(i);
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body.charAt(i + 1);
    i++;
    if (next === '_' || next === '%') {
      out += forLike ? `\\${next}` : next;
      continue;
    }
    const mapped = ESCAPES[next];
    if (mapped === undefined) {
      throw new SoqlError(
        'MALFORMED_QUERY',
        `Invalid string literal '${body}'. Illegal character sequence '\\${next}' in string literal.`,
      );
    }
    out += forLike && mapped === '\\' ? '\\\\' : mapped;
  }
  return out;
}

/** A case-insensitive, anchored matcher for a LIKE pattern (`%` any run, `_` one character). */
export function likeMatcher(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '\\' && i + 1 < pattern.length) {
      re += escapeRegExp(pattern.charAt(i + 1));
      i++;
    } else if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += escapeRegExp(ch);
  }
  return new RegExp(`^${re}$`, 'i');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface DateRange {
  /** Inclusive start, epoch ms. */
  start: number;
  /** Exclusive end, epoch ms. */
  end: number;
}

type Unit = 'day' | 'week' | 'month' | 'quarter' | 'year';

const DAY = 86_400_000;

/** Start of the unit containing `ms` (weeks start on Sunday, the en_US locale; fiscal = calendar). */
function unitStart(ms: number, unit: Unit): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = Date.UTC(y, m, d.getUTCDate());
  switch (unit) {
    case 'day':
      return day;
    case 'week':
      return day - d.getUTCDay() * DAY;
    case 'month':
      return Date.UTC(y, m, 1);
    case 'quarter':
      return Date.UTC(y, m - (m % 3), 1);
    case 'year':
      return Date.UTC(y, 0, 1);
  }
}

function addUnits(ms: number, n: number, unit: Unit): number {
  if (unit === 'day') return ms + n * DAY;
  if (unit === 'week') return ms + n * 7 * DAY;
  const d = new Date(ms);
  const months = unit === 'month' ? n : unit === 'quarter' ? 3 * n : 12 * n;
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate());
}

function unitOf(word: string): Unit | undefined {
  const w = word.replace(/^FISCAL_/, '');
  if (w === 'DAY' || w === 'DAYS') return 'day';
  if (w === 'WEEK' || w === 'WEEKS') return 'week';
  if (w === 'MONTH' || w === 'MONTHS') return 'month';
  if (w === 'QUARTER' || w === 'QUARTERS') return 'quarter';
  if (w === 'YEAR' || w === 'YEARS') return 'year';
  return undefined;
}

/** The range a date literal covers at `now`, or undefined for an unknown literal. */
export function dateLiteralRange(literal: string, now: number): DateRange | undefined {
  const text = literal.toUpperCase();
  const range = (unit: Unit, from: number, to: number): DateRange => {
    const base = unitStart(now, unit);
    return { start: addUnits(base, from, unit), end: addUnits(base, to, unit) };
  };
  if (text === 'TODAY') return range('day', 0, 1);
  if (text === 'YESTERDAY') return range('day', -1, 0);
  if (text === 'TOMORROW') return range('day', 1, 2);
  if (text === 'LAST_90_DAYS') return range('day', -90, 1);
  if (text === 'NEXT_90_DAYS') return range('day', 1, 91);
  const fixed = /^(THIS|LAST|NEXT)_((?:FISCAL_)?[A-Z]+)$/.exec(text);
  if (fixed) {
    const unit = unitOf(fixed[2] ?? '');
    if (!unit) return undefined;
    const offset = fixed[1] === 'THIS' ? 0 : fixed[1] === 'LAST' ? -1 : 1;
    return range(unit, offset, offset + 1);
  }
  const relative = /^(LAST_N|NEXT_N|N)_((?:FISCAL_)?[A-Z]+?)(_AGO)?:(\d+)$/.exec(text);
  if (relative) {
    const unit = unitOf(relative[2] ?? '');
    const n = Number(relative[4]);
    if (!unit || !Number.isInteger(n)) return undefined;
    if (relative[1] === 'N' && relative[3]) return range(unit, -n, -n + 1);
    if (relative[1] === 'LAST_N' && !relative[3]) {
      // LAST_N_DAYS:n includes today; LAST_N_WEEKS/MONTHS/… end with the previous unit.
      return unit === 'day' ? range(unit, -n, 1) : range(unit, -n, 0);
    }
    if (relative[1] === 'NEXT_N' && !relative[3]) return range(unit, 1, n + 1);
  }
  return undefined;
}
