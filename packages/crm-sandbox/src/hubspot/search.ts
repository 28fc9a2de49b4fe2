/**
 * CRM search semantics, free of HTTP and storage: which records a filter matches and in
 * which order they come. https://developers.hubspot.com/docs/api/crm/search
 */
import type { PropertyType } from './properties';
import { isIsoLike, parseTimestamp } from './time';

export const FILTER_OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;

export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface SearchFilter {
  propertyName: string;
  operator: FilterOperator;
  value?: string;
  highValue?: string;
  values?: string[];
}

export interface SearchFilterGroup {
  filters: SearchFilter[];
}

export interface SearchSort {
  propertyName: string;
  direction: 'ASCENDING' | 'DESCENDING';
}

/** HubSpot's limits since August 2024; paging stops at 10,000 results. */
export const SEARCH_LIMITS = {
  maxFilterGroups: 5,
  maxFiltersPerGroup: 10,
  maxFilters: 25,
  maxPageSize: 200,
  defaultPageSize: 10,
  maxResults: 10_000,
} as const;

/** Property values of one record; `undefined` means the property has no value. */
export type ValueOf = (propertyName: string) => string | undefined;

/** The type of a property, when the portal defines it. */
export type TypeOf = (propertyName: string) => PropertyType | undefined;

/**
 * A value as a number when it reads as one: a plain number, or a date/datetime, which
 * HubSpot compares as epoch milliseconds whether the filter value is ms or ISO text.
 */
export function numericValue(value: string): number | undefined {
  const cached = numericCache.get(value);
  if (cached !== undefined || numericCache.has(value)) return cached;
  const parsed = parseNumeric(value);
  // Searches read the same timestamps over and over; parsing them once pays for the map.
  if (numericCache.size >= NUMERIC_CACHE_SIZE) numericCache.clear();
  numericCache.set(value, parsed);
  return parsed;
}

const NUMERIC_CACHE_SIZE = 200_000;
const numericCache = new Map<string, number | undefined>();

function parseNumeric(value: string): number | undefined {
  const text = value.trim();
  if (text === '') return undefined;
  if (/^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (isIsoLike(text)) return parseTimestamp(text);
  return undefined;
}

/**
 * Orders two values numerically when both are numbers or dates, else as case-folded text
 * (HubSpot's EQ on text ignores case). Text properties always compare as text, so a postal
 * code "02134" does not equal "2134".
 */
export function compareValues(a: string, b: string, type?: PropertyType): number {
  if (type !== 'string') {
    const na = numericValue(a);
    const nb = numericValue(b);
    if (na !== undefined && nb !== undefined) return na - nb;
  }
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/** Compares stored values against one filter value, parsed once per search. */
function comparer(wanted: string, type: PropertyType | undefined): (stored: string) => number {
  const wantedNum = type === 'string' ? undefined : numericValue(wanted);
  const wantedText = wanted.toLowerCase();
  return (stored) => {
    if (wantedNum !== undefined) {
      const n = numericValue(stored);
      if (n !== undefined) return n - wantedNum;
    }
    const text = stored.toLowerCase();
    return text < wantedText ? -1 : text > wantedText ? 1 : 0;
  };
}

/** Words of a value, as HubSpot's tokenizer splits them (emails split at `@` and `.`). */
export function tokens(value: string): string[] {
  return value
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== '');
}

function tokenMatcher(wanted: string): (stored: string) => boolean {
  const lowered = wanted.trim().toLowerCase();
  if (lowered.includes('*')) {
    // `*@example.com`-style wildcards are matched against the whole value and each word.
    const pattern = new RegExp(
      `^${lowered
        .split('*')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'u',
    );
    return (stored) => pattern.test(stored.toLowerCase()) || tokens(stored).some((t) => pattern.test(t));
  }
  const want = tokens(lowered);
  return (stored) => {
    if (want.length === 0) return false;
    const have = tokens(stored);
    outer: for (let i = 0; i + want.length <= have.length; i++) {
      for (let j = 0; j < want.length; j++) if (have[i + j] !== want[j]) continue outer;
      return true;
    }
    return false;
  };
}

/**
 * IN / NOT_IN on text properties lowercase the stored value only, so the values sent must
 * be lowercase to match ("values must be lowercase" in HubSpot's search guide).
 * Other types compare as EQ does.
 */
function inMatcher(values: readonly string[], type: PropertyType | undefined): (stored: string) => boolean {
  if (type === 'string') {
    const set = new Set(values);
    return (stored) => set.has(stored.toLowerCase());
  }
  const comparers = values.map((v) => comparer(v, type));
  return (stored) => comparers.some((c) => c(stored) === 0);
}

/** One filter as a predicate over a record's value (`undefined`: no value). */
export function compileFilter(filter: SearchFilter, type?: PropertyType): (stored: string | undefined) => boolean {
  const value = filter.value ?? '';
  switch (filter.operator) {
    case 'HAS_PROPERTY':
      return (stored) => stored !== undefined;
    case 'NOT_HAS_PROPERTY':
      return (stored) => stored === undefined;
    // The negative operators also match records without the property.
    case 'NEQ': {
      const cmp = comparer(value, type);
      return (stored) => stored === undefined || cmp(stored) !== 0;
    }
    case 'NOT_IN': {
      const has = inMatcher(filter.values ?? [], type);
      return (stored) => stored === undefined || !has(stored);
    }
    case 'NOT_CONTAINS_TOKEN': {
      const has = tokenMatcher(value);
      return (stored) => stored === undefined || !has(stored);
    }
    case 'EQ': {
      const cmp = comparer(value, type);
      return (stored) => stored !== undefined && cmp(stored) === 0;
    }
    case 'LT': {
      const cmp = comparer(value, type);
      return (stored) => stored !== undefined && cmp(stored) < 0;
    }
    case 'LTE': {
      const cmp = comparer(value, type);
      return (stored) => stored !== undefined && cmp(stored) <= 0;
    }
    case 'GT': {
      const cmp = comparer(value, type);
      return (stored) => stored !== undefined && cmp(stored) > 0;
    }
    case 'GTE': {
      const cmp = comparer(value, type);
      return (stored) => stored !== undefined && cmp(stored) >= 0;
    }
    case 'BETWEEN': {
      const low = comparer(value, type);
      const high = comparer(filter.highValue ?? '', type);
      return (stored) => stored !== undefined && low(stored) >= 0 && high(stored) <= 0;
    }
    case 'IN': {
      const has = inMatcher(filter.values ?? [], type);
      return (stored) => stored !== undefined && has(stored);
    }
    case 'CONTAINS_TOKEN': {
      const has = tokenMatcher(value);
      return (stored) => stored !== undefined && has(stored);
    }
  }
}

/** Whether one record's value satisfies one filter. */
export function matchesFilter(filter: SearchFilter, stored: string | undefined, type?: PropertyType): boolean {
  return compileFilter(filter, type)(stored);
}

/**
 * The filter groups as one predicate: OR of the groups, AND within a group; no groups
 * match everything. Compiled once per search, run once per record.
 */
export function compileGroups(
  groups: readonly SearchFilterGroup[],
  typeOf: TypeOf = () => undefined,
): (valueOf: ValueOf) => boolean {
  if (groups.length === 0) return () => true;
  const compiled = groups.map((g) =>
    g.filters.map((f) => ({ name: f.propertyName, test: compileFilter(f, typeOf(f.propertyName)) })),
  );
  return (valueOf) => compiled.some((g) => g.every((f) => f.test(valueOf(f.name))));
}

export function matchesGroups(
  groups: readonly SearchFilterGroup[],
  valueOf: ValueOf,
  typeOf: TypeOf = () => undefined,
): boolean {
  return compileGroups(groups, typeOf)(valueOf);
}

/** A problem with the shape of a search, reported by HubSpot as a 400 VALIDATION_ERROR. */
export function checkSearchLimits(
  groups: readonly SearchFilterGroup[],
  limit: number,
  after: number,
): string | undefined {
  if (groups.length > SEARCH_LIMITS.maxFilterGroups) {
    return `Too many filter groups (${groups.length}). The maximum number of filter groups is ${SEARCH_LIMITS.maxFilterGroups}.`;
  }
  const big = groups.find((g) => g.filters.length > SEARCH_LIMITS.maxFiltersPerGroup);
  if (big) {
    return `Too many filters in a filter group (${big.filters.length}). The maximum number of filters per filter group is ${SEARCH_LIMITS.maxFiltersPerGroup}.`;
  }
  const total = groups.reduce((n, g) => n + g.filters.length, 0);
  if (total > SEARCH_LIMITS.maxFilters) {
    return `Too many filters (${total}). The maximum number of filters across all filter groups is ${SEARCH_LIMITS.maxFilters}.`;
  }
  for (const f of groups.flatMap((g) => g.filters)) {
    if ((f.operator === 'IN' || f.operator === 'NOT_IN') && (!f.values || f.values.length === 0)) {
      return `Filter on ${f.propertyName} with operator ${f.operator} requires "values".`;
    }
    if (f.operator === 'BETWEEN' && (f.value === undefined || f.highValue === undefined)) {
      return `Filter on ${f.propertyName} with operator BETWEEN requires "value" and "highValue".`;
    }
    const needsValue = !['HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'IN', 'NOT_IN'].includes(f.operator);
    if (needsValue && f.value === undefined) {
      return `Filter on ${f.propertyName} with operator ${f.operator} requires "value".`;
    }
  }
  if (limit > SEARCH_LIMITS.maxPageSize) {
    return `limit must be at most ${SEARCH_LIMITS.maxPageSize} (got ${limit}).`;
  }
  if (limit < 0) return `limit must not be negative (got ${limit}).`;
  if (after >= SEARCH_LIMITS.maxResults) {
    return `Paging beyond ${SEARCH_LIMITS.maxResults} results is not supported (after=${after}). Narrow the search with filters instead.`;
  }
  return undefined;
}

/**
 * The filter groups as a test over numeric columns (see `ObjectStore.numericColumn`), when
 * every filter is a comparison of a number or date property with a number: true or false
 * as `compileGroups` would answer, or undefined when a value it reads is missing or no
 * number, where text comparison rules apply and `compileGroups` must decide.
 */
export function compileNumericGroups(
  groups: readonly SearchFilterGroup[],
  typeOf: TypeOf = () => undefined,
):
  | { properties: string[]; test: (columns: readonly Float64Array[], position: number) => boolean | undefined }
  | undefined {
  const properties: string[] = [];
  const compiled: { column: number; holds: (x: number) => boolean }[][] = [];
  for (const group of groups) {
    const tests: { column: number; holds: (x: number) => boolean }[] = [];
    for (const f of group.filters) {
      if (typeOf(f.propertyName) === 'string') return undefined;
      const v = f.value === undefined ? undefined : numericValue(f.value);
      if (v === undefined || !Number.isFinite(v)) return undefined;
      let holds: (x: number) => boolean;
      switch (f.operator) {
        case 'EQ':
          holds = (x) => x === v;
          break;
        case 'LT':
          holds = (x) => x < v;
          break;
        case 'LTE':
          holds = (x) => x <= v;
          break;
        case 'GT':
          holds = (x) => x > v;
          break;
        case 'GTE':
          holds = (x) => x >= v;
          break;
        case 'BETWEEN': {
          const high = f.highValue === undefined ? undefined : numericValue(f.highValue);
          if (high === undefined || !Number.isFinite(high)) return undefined;
          holds = (x) => x >= v && x <= high;
          break;
        }
        default:
          return undefined;
      }
      let column = properties.indexOf(f.propertyName);
      if (column < 0) column = properties.push(f.propertyName) - 1;
      tests.push({ column, holds });
    }
    compiled.push(tests);
  }
  const test = (columns: readonly Float64Array[], position: number): boolean | undefined => {
    if (compiled.length === 0) return true;
    for (const group of compiled) {
      let all = true;
      for (const t of group) {
        const x = columns[t.column]![position]!;
        // NaN: no value or text; `v === v` is the NaN test (see sortRecords).
        if (x !== x) return undefined;
        if (!t.holds(x)) {
          all = false;
          break;
        }
      }
      if (all) return true;
    }
    return false;
  };
  return { properties, test };
}

/** Whether these sorts ask for ascending id order, the order records are kept and scanned in. */
export function sortsById(sorts: readonly SearchSort[]): boolean {
  return sorts.every((s) => s.propertyName === 'hs_object_id' && s.direction === 'ASCENDING');
}

/**
 * The lowest record id any filter group can match, when every group bounds `hs_object_id`
 * from below (a client paging by the last id it read): search can start its scan there
 * instead of at the first record. Undefined when some group sets no such bound.
 */
export function idLowerBound(
  groups: readonly SearchFilterGroup[],
  typeOf: TypeOf = () => undefined,
): number | undefined {
  // On a text property GT compares as text, which says nothing about numeric order.
  if (groups.length === 0 || typeOf('hs_object_id') === 'string') return undefined;
  let lowest = Number.POSITIVE_INFINITY;
  for (const group of groups) {
    let bound: number | undefined;
    for (const f of group.filters) {
      if (f.propertyName !== 'hs_object_id' || f.value === undefined) continue;
      const v = numericValue(f.value);
      if (v === undefined || !Number.isFinite(v)) continue;
      // Ids are whole numbers.
      const from =
        f.operator === 'GT'
          ? Math.floor(v) + 1
          : f.operator === 'GTE' || f.operator === 'EQ' || f.operator === 'BETWEEN'
            ? Math.ceil(v)
            : undefined;
      if (from !== undefined) bound = Math.max(bound ?? from, from);
    }
    if (bound === undefined) return undefined;
    lowest = Math.min(lowest, bound);
  }
  return lowest;
}

/**
 * Sorts matches by the requested properties; records without a value come last, and equal
 * keys fall back to ascending id so that paging never repeats or skips a record.
 */
export function sortRecords<T extends { id: string }>(
  records: T[],
  sorts: readonly SearchSort[],
  valueOf: (r: T, p: string) => string | undefined,
  typeOf: TypeOf = () => undefined,
): T[] {
  const n = records.length;
  const ids = new Float64Array(n);
  for (let i = 0; i < n; i++) ids[i] = Number(records[i]!.id);
  // Keys are read once per record into flat arrays: the comparator runs n·log n times
  // and a delta sync sorts every matching record on every page.
  const keys = sorts.map((s) => {
    const numeric = typeOf(s.propertyName) !== 'string';
    const nums = new Float64Array(n);
    const texts: (string | undefined)[] = new Array<string | undefined>(n);
    for (let i = 0; i < n; i++) {
      const v = valueOf(records[i]!, s.propertyName);
      const num = v !== undefined && numeric ? numericValue(v) : undefined;
      nums[i] = num ?? Number.NaN;
      // Numeric values keep their text only for the rare mixed comparison below.
      texts[i] = v === undefined || num !== undefined ? v : v.toLowerCase();
    }
    return { nums, texts, sign: s.direction === 'DESCENDING' ? -1 : 1 };
  });
  const compare = (a: number, b: number): number => {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      const x = k.texts[a];
      const y = k.texts[b];
      if (x === undefined || y === undefined) {
        if (x === y) continue;
        return x === undefined ? 1 : -1;
      }
      const nx = k.nums[a]!;
      const ny = k.nums[b]!;
      // `v === v` is the NaN test here: Number.isNaN is not inlined in every realm (jest's
      // vm context), and this line runs n·log n times.
      const c = nx === nx && ny === ny ? nx - ny : x < y ? -1 : x > y ? 1 : 0;
      if (c !== 0) return c * k.sign;
    }
    return ids[a]! - ids[b]!;
  };
  // Matches are collected in id order, which is often the order asked for (paging by id):
  // one pass to see that spares the n·log n sort.
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = compare(i - 1, i) <= 0;
  if (sorted) return records.slice();
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort(compare);
  return order.map((i) => records[i]!);
}

/**
 * `sorts` come as objects or as strings; in the string form a leading `-` means descending.
 */
export function normalizeSorts(
  sorts: readonly (string | { propertyName: string; direction?: string })[],
): SearchSort[] {
  return sorts.map((s) => {
    if (typeof s === 'string') {
      return s.startsWith('-')
        ? { propertyName: s.slice(1), direction: 'DESCENDING' as const }
        : { propertyName: s, direction: 'ASCENDING' as const };
    }
    return { propertyName: s.propertyName, direction: s.direction === 'DESCENDING' ? 'DESCENDING' : 'ASCENDING' };
  });
}

/** Free-text `query`: a case-insensitive substring of any searchable text property. */
export function matchesQuery(query: string | undefined, valueOf: ValueOf, properties: readonly string[]): boolean {
  const q = query?.trim().toLowerCase();
  if (!q) return true;
  return properties.some((p) => valueOf(p)?.toLowerCase().includes(q) ?? false);
}
