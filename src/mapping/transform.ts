import type {
  FieldMapping,
  FlowDirection,
  ObjectMapping,
  Range,
  SimpleTransform,
  UnmappedPolicy,
} from '../config/mapping-file';
import { effectiveStep, flowsTo, namesOn, sourceSide, targetSide } from './fields';
import { coerceValue, parseNumber, preview, type ValueType } from './coerce';
import { applyTextTransform, joinParts, splitParts, truncateText } from './text';

/** A record's values as both CRMs' APIs carry them: text or absent (null). */
export type Values = Record<string, string | null>;

export function isBlank(value: string | null | undefined): value is null | undefined | '' {
  return value === null || value === undefined || value.trim() === '';
}

/** One value mapped in one direction. `skip`: leave the target as it is (nothing to write). */
export interface FieldResult {
  value: string | null;
  warnings: string[];
  skip?: true;
  /** The value could not be mapped (a failed conversion, or `unmapped: error`); nothing is written. */
  error?: string;
}

/** An entry mapped in one direction: several target values when it splits. */
export interface FieldOutcome {
  values: Values;
  warnings: string[];
  error?: string;
}

export interface RecordIssue {
  /** The target field(s) the issue is about, e.g. `Title` or `FirstName + LastName`. */
  field: string;
  message: string;
}

export interface MappedRecord {
  /** Target values to write; a skipped or failed field is absent, so the target keeps its value. */
  values: Values;
  /** Values changed on the way (cut to fit, unmapped and skipped): report them with the record. */
  warnings: RecordIssue[];
  /** Fields that could not be mapped: the record belongs in sync_errors with these reasons. */
  errors: RecordIssue[];
}

/** Thrown by toSalesforceValues / toHubSpotValues when a field of the record cannot be mapped. */
export class ValueMappingError extends Error {
  constructor(readonly errors: RecordIssue[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'ValueMappingError';
  }
}

// ---- one direction of one entry, prepared once ----

interface Compiled {
  transforms: SimpleTransform[];
  values?: Map<string, string | null>;
  /** Case-insensitive fallback: picklist values differ in case between systems more often than in spelling. */
  valuesLower?: Map<string, string | null>;
  /** Highest `from` first, so the first range a number reaches is its range. */
  ranges?: Range[];
  unmapped: UnmappedPolicy;
  default?: string;
  type?: ValueType;
  truncate?: number;
  separator: string;
  label: string;
}

const compiledCache = new WeakMap<FieldMapping, Partial<Record<FlowDirection, Compiled>>>();

function compile(field: FieldMapping, direction: FlowDirection): Compiled {
  const cached = compiledCache.get(field)?.[direction];
  if (cached) return cached;
  const step = effectiveStep(field, direction);
  const values = step.values ? new Map(Object.entries(step.values)) : undefined;
  let valuesLower: Map<string, string | null> | undefined;
  if (values) {
    valuesLower = new Map();
    for (const [k, v] of values)
      if (!valuesLower.has(k.trim().toLowerCase())) valuesLower.set(k.trim().toLowerCase(), v);
  }
  const source = namesOn(field, sourceSide(direction));
  const target = namesOn(field, targetSide(direction));
  const compiled: Compiled = {
    transforms: step.transforms,
    values,
    valuesLower,
    ranges: step.ranges ? [...step.ranges].sort((a, b) => b.from - a.from) : undefined,
    unmapped: step.unmapped ?? 'pass_through',
    default: step.default,
    type: step.type,
    truncate: step.truncate,
    separator: field.separator ?? ' ',
    label: `${field.constant !== undefined ? `constant "${field.constant}"` : source.join(' + ')} → ${target.join(' + ')}`,
  };
  compiledCache.set(field, { ...compiledCache.get(field), [direction]: compiled });
  return compiled;
}

// ---- the steps, in the order they run ----

type Step = { value: string | null; warning?: string } | { skip: true; warning: string } | { error: string };

/** values or ranges: the value the source's value stands for on the other side. */
function lookUp(c: Compiled, value: string): Step {
  if (c.ranges) {
    const n = parseNumber(value);
    const range = n === undefined ? undefined : c.ranges.find((r) => n >= r.from);
    if (range) return { value: range.value };
  } else if (c.values) {
    if (c.values.has(value)) return { value: c.values.get(value) ?? null };
    const lower = value.trim().toLowerCase();
    if (c.valuesLower?.has(lower)) return { value: c.valuesLower.get(lower) ?? null };
  } else return { value };
  // Unlike truncation, this names the value: it is a picklist value RevOps need to add a line for.
  const what = c.ranges
    ? parseNumber(value) === undefined
      ? 'is not a number, so it is in no range'
      : 'is below every range'
    : 'has no mapping';
  const policy = c.unmapped;
  if (policy === 'pass_through') return { value };
  if (policy === 'skip')
    return { skip: true, warning: `${c.label}: "${preview(value)}" ${what}; left unchanged (unmapped: skip)` };
  if (policy === 'error') return { error: `${c.label}: "${preview(value)}" ${what} (unmapped: error)` };
  return {
    value: policy.default,
    warning: `${c.label}: "${preview(value)}" ${what}; wrote the unmapped default "${policy.default}"`,
  };
}

/** After the value is chosen: default when blank, conversion, truncation. */
function finish(c: Compiled, value: string | null, warnings: string[]): FieldResult {
  let out = isBlank(value) ? null : value;
  if (out === null && c.default !== undefined) out = c.default;
  if (out !== null && c.type !== undefined) {
    const coerced = coerceValue(c.type, out);
    if (!coerced.ok) return { value: null, warnings, error: `${c.label}: ${coerced.reason}` };
    out = coerced.value;
  }
  if (out !== null && c.truncate !== undefined && out.length > c.truncate) {
    const cut = truncateText(out, c.truncate);
    // The length, not the value: warnings end up in logs, and values can be personal data.
    warnings.push(`${c.label}: the value had ${out.length} characters and was cut to ${cut.length} to fit`);
    out = cut;
  }
  return { value: out, warnings };
}

function transformed(c: Compiled, value: string | null): string | null {
  let out = value;
  for (const t of c.transforms) if (out !== null) out = applyTextTransform(out, t);
  return out;
}

function run(field: FieldMapping, c: Compiled, value: string | null): FieldResult {
  if (field.constant !== undefined) return finish(c, field.constant, []);
  const warnings: string[] = [];
  const v = transformed(c, value);
  if (isBlank(v)) return finish(c, null, warnings);
  const looked = lookUp(c, v);
  if ('skip' in looked) return { value: null, warnings: [looked.warning], skip: true };
  if ('error' in looked) return { value: null, warnings, error: looked.error };
  if (looked.warning !== undefined) warnings.push(looked.warning);
  return finish(c, looked.value, warnings);
}

// ---- public API ----

/**
 * Maps one value of an entry with one field on each side (or a constant) in one
 * direction. Entries that join or split several fields need the whole record: use
 * `mapField` or `mapRecord` for them.
 */
export function mapFieldValue(field: FieldMapping, value: string | null, direction: FlowDirection): FieldResult {
  if (!flowsTo(field, direction)) return { value: null, warnings: [], skip: true };
  if (field.parts !== undefined) {
    throw new TypeError(
      `mapFieldValue maps one value, but ${field.hubspot} ↔ ${field.salesforce} joins or splits fields; use mapField or mapRecord`,
    );
  }
  return run(field, compile(field, direction), value);
}

/** Maps one entry of a record in one direction, reading its source fields from `source`. */
export function mapField(field: FieldMapping, source: Values, direction: FlowDirection): FieldOutcome {
  if (!flowsTo(field, direction)) return { values: {}, warnings: [] };
  const c = compile(field, direction);
  const from = namesOn(field, sourceSide(direction));
  const to = namesOn(field, targetSide(direction));
  if (to.length === 0) return { values: {}, warnings: [] };
  // Joining: the source parts become one value before anything else happens to it.
  const input =
    from.length === 1
      ? (source[from[0] as string] ?? null)
      : joinParts(
          from.map((n) => source[n]),
          c.separator,
        );
  if (to.length === 1) {
    const r = run(field, c, input);
    if (r.error !== undefined) return { values: {}, warnings: r.warnings, error: r.error };
    return { values: r.skip ? {} : { [to[0] as string]: r.value }, warnings: r.warnings };
  }
  const whole = transformed(c, input);
  const parts = isBlank(whole) ? to.map(() => null) : splitParts(whole, c.separator, to.length);
  const values: Values = {};
  const warnings: string[] = [];
  for (const [j, name] of to.entries()) {
    const r = finish(c, parts[j] ?? null, warnings);
    if (r.error !== undefined) return { values: {}, warnings, error: r.error };
    values[name] = r.value;
  }
  return { values, warnings };
}

/** Maps a record in one direction: every entry that flows that way. */
export function mapRecord(mapping: ObjectMapping, source: Values, direction: FlowDirection): MappedRecord {
  const out: MappedRecord = { values: {}, warnings: [], errors: [] };
  for (const field of mapping.fields) {
    if (!flowsTo(field, direction)) continue;
    const r = mapField(field, source, direction);
    const target = namesOn(field, targetSide(direction)).join(' + ');
    Object.assign(out.values, r.values);
    for (const message of r.warnings) out.warnings.push({ field: target, message });
    if (r.error !== undefined) out.errors.push({ field: target, message: r.error });
  }
  return out;
}

function valuesOrThrow(mapped: MappedRecord): Values {
  if (mapped.errors.length > 0) throw new ValueMappingError(mapped.errors);
  return mapped.values;
}

/**
 * The Salesforce values a HubSpot record maps to, for the fields that flow that way.
 * Throws ValueMappingError when a field cannot be mapped; `mapRecord` reports instead.
 */
export function toSalesforceValues(mapping: ObjectMapping, hubspot: Values): Values {
  return valuesOrThrow(mapRecord(mapping, hubspot, 'to_salesforce'));
}

/** The HubSpot values a Salesforce record maps to, for the fields whose direction is both or to_hubspot. */
export function toHubSpotValues(mapping: ObjectMapping, salesforce: Values): Values {
  return valuesOrThrow(mapRecord(mapping, salesforce, 'to_hubspot'));
}

/** Fields whose value differs from the last value Baton synced (the snapshot). */
export function changedValues(next: Values, snapshot: Values | undefined): Values {
  if (!snapshot) return { ...next };
  const changed: Values = {};
  for (const [key, value] of Object.entries(next)) {
    if ((snapshot[key] ?? null) !== value) changed[key] = value;
  }
  return changed;
}

export function normaliseMatchKey(mapping: ObjectMapping, value: string | null | undefined): string | null {
  if (isBlank(value)) return null;
  const trimmed = value.trim();
  return mapping.match.case_insensitive ? trimmed.toLowerCase() : trimmed;
}

/** HubSpot properties a sync needs to read for a mapping. */
export function hubspotPropertiesOf(mapping: ObjectMapping): string[] {
  return [...new Set([mapping.match.hubspot, ...mapping.fields.flatMap((f) => namesOn(f, 'hubspot'))])];
}

/** Salesforce fields a sync needs to read for a mapping. */
export function salesforceFieldsOf(mapping: ObjectMapping): string[] {
  return [...new Set([mapping.match.salesforce, ...mapping.fields.flatMap((f) => namesOn(f, 'salesforce'))])];
}
