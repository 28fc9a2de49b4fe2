import fs from 'node:fs';
import {
  describeField,
  effectiveStep,
  FLOW_DIRECTIONS,
  flowsTo,
  invertValues,
  namesOn,
  sourceSide,
  targetSide,
  type EffectiveStep,
} from '../mapping/fields';
import path from 'node:path';
import { z } from 'zod';
import { coerceValue, describeType, VALUE_TYPES } from '../mapping/coerce';
import { checkDocument, fileProblem, readText, type Keys, type Locator } from './document';
import { formatProblems, MappingError, sortProblems, type Problem, type ProblemCode } from './problems';

/**
 * Mapping files are edited by hand by RevOps. Loading them has two goals: the worker
 * gets a typed object, and a person gets every problem at once, each with file, line,
 * column, a path they can follow (`contact > fields > 3 > salesforce`) and a message
 * they can act on. Checking runs in passes, as NangoHQ's nango-yaml does: the structure
 * (zod over the YAML document, which keeps positions), then cross-references between
 * entries; `mapping-live.ts` adds a third pass against the CRMs' own schemas.
 * The language itself is documented for RevOps in docs/mappings.md.
 */

export const DIRECTIONS = ['both', 'to_salesforce', 'to_hubspot'] as const;
export const CONFLICT_RULES = ['hubspot_wins', 'salesforce_wins', 'last_write_wins', 'prefer_non_blank'] as const;
export const SIMPLE_TRANSFORMS = ['trim', 'lowercase', 'uppercase', 'title'] as const;
export const UNMAPPED_POLICIES = ['pass_through', 'skip', 'error'] as const;
export const DELETE_POLICIES = ['ignore', 'clear_link', 'archive'] as const;
export const LEAD_CONVERSION_MODES = ['follow', 'ignore'] as const;
export { VALUE_TYPES };

export type Direction = (typeof DIRECTIONS)[number];
export type ConflictRule = (typeof CONFLICT_RULES)[number];
export type SimpleTransform = (typeof SIMPLE_TRANSFORMS)[number];
export type DeletePolicy = (typeof DELETE_POLICIES)[number];
export type Side = 'hubspot' | 'salesforce';
/** The two ways a value can flow; `both` on a field means it flows in each of them. */
export type FlowDirection = Exclude<Direction, 'both'>;

const oneOf = (what: string, options: readonly string[]) => `${what} must be one of: ${options.join(', ')}`;

const identifier = (what: string) =>
  z.string({ error: `${what} must be a text value` }).min(1, `${what} must not be empty`);

/**
 * One side of a field: a name, or a list of names that are joined into (or split from)
 * the single field on the other side.
 */
const names = (what: string, example: string) =>
  z.union([identifier(what), z.array(identifier(what))], {
    error: `${what} must be a name, or a list of names such as ${example}`,
  });

/** YAML reads `70`, `true` or `2024-01-01` as numbers, booleans and dates; the CRMs take text. */
const text = (what: string) =>
  z
    .union([z.string(), z.number(), z.boolean()], { error: `${what} must be a single value, not a list or a mapping` })
    .transform(String);

const unmappedSchema = z.union(
  [z.enum(UNMAPPED_POLICIES), z.object({ default: text('unmapped > default') }).strict()],
  { error: `unmapped must be one of: ${UNMAPPED_POLICIES.join(', ')}, or "default: <value>"` },
);

const rangeSchema = z
  .object({
    from: z.number({ error: 'from must be a number (the lowest value of the range)' }),
    value: text('value'),
  })
  .strict();

/**
 * What can happen to a value on its way, at the field's level (every direction it flows)
 * or under `to_salesforce` / `to_hubspot` (that direction only, winning over the field's).
 */
const stepShape = {
  transforms: z.array(z.enum(SIMPLE_TRANSFORMS, { error: oneOf('each transform', SIMPLE_TRANSFORMS) }), {
    error: 'transforms must be a list, e.g. [trim, lowercase]',
  }),
  values: z.record(z.string(), z.union([text('each mapped value'), z.null()]), {
    error: 'values must be a mapping of "value here: value there" lines',
  }),
  ranges: z
    .array(rangeSchema, { error: 'ranges must be a list of "- { from: <number>, value: <value> }"' })
    .min(1, 'ranges must not be empty'),
  unmapped: unmappedSchema,
  default: text('default'),
  type: z.enum(VALUE_TYPES, { error: oneOf('type', VALUE_TYPES) }),
  truncate: z
    .number({ error: 'truncate must be a number of characters' })
    .int('truncate must be a whole number of characters')
    .positive('truncate must be at least 1'),
};

export const directionStepSchema = z
  .object(
    {
      transforms: stepShape.transforms.optional(),
      values: stepShape.values.optional(),
      ranges: stepShape.ranges.optional(),
      unmapped: stepShape.unmapped.optional(),
      default: stepShape.default.optional(),
      type: stepShape.type.optional(),
      truncate: stepShape.truncate.optional(),
    },
    { error: 'to_salesforce and to_hubspot hold settings such as values, default or truncate, one per line' },
  )
  .strict();

const isEntry = (payload: { value: unknown }) =>
  typeof payload.value === 'object' && payload.value !== null && !Array.isArray(payload.value);

export const fieldMappingSchema = z
  .object(
    {
      hubspot: names('the HubSpot property name', '[firstname, lastname]').optional(),
      salesforce: names('the Salesforce field name', '[FirstName, LastName]').optional(),
      direction: z.enum(DIRECTIONS, { error: oneOf('direction', DIRECTIONS) }).optional(),
      conflict: z.enum(CONFLICT_RULES, { error: oneOf('conflict', CONFLICT_RULES) }).optional(),
      constant: text('constant').optional(),
      separator: z
        .string({ error: 'separator must be text, e.g. " "' })
        .min(1, 'separator must not be empty')
        .optional(),
      transforms: stepShape.transforms.default([]),
      values: stepShape.values.optional(),
      ranges: stepShape.ranges.optional(),
      unmapped: stepShape.unmapped.optional(),
      default: z
        .union([z.string(), z.number(), z.boolean()], { error: 'default must be a text value (quote it)' })
        .transform(String)
        .optional(),
      type: stepShape.type.optional(),
      truncate: stepShape.truncate.optional(),
      to_salesforce: directionStepSchema.optional(),
      to_hubspot: directionStepSchema.optional(),
    },
    {
      error:
        'each field entry must be a mapping such as "hubspot: jobtitle" and "salesforce: Title" on lines of their own',
    },
  )
  .strict()
  // `when` lets these run even when another key of the entry is invalid, so a missing
  // side is reported together with the entry's other problems; an entry that is not a
  // mapping at all has its own problem already.
  .refine((f) => f.hubspot !== undefined || f.constant !== undefined, {
    path: ['hubspot'],
    message: '"hubspot" is required',
    params: { code: 'missing_key' },
    when: isEntry,
  })
  .refine((f) => f.salesforce !== undefined || f.constant !== undefined, {
    path: ['salesforce'],
    message: '"salesforce" is required',
    params: { code: 'missing_key' },
    when: isEntry,
  })
  .refine((f) => !(Array.isArray(f.hubspot) && Array.isArray(f.salesforce)), {
    path: ['salesforce'],
    message:
      'only one side may list several fields: they are joined into, or split from, the single field on the other side',
    params: { code: 'two_lists' },
    when: isEntry,
  })
  .transform(({ hubspot, salesforce, ...f }) => {
    // A constant names only the side it is written to; the direction follows from it.
    const direction: Direction =
      f.direction ??
      (f.constant !== undefined && hubspot === undefined
        ? 'to_salesforce'
        : f.constant !== undefined && salesforce === undefined
          ? 'to_hubspot'
          : 'both');
    const parts: FieldParts | undefined = Array.isArray(hubspot)
      ? { side: 'hubspot', fields: hubspot }
      : Array.isArray(salesforce)
        ? { side: 'salesforce', fields: salesforce }
        : undefined;
    // `hubspot` and `salesforce` stay plain text for readers that index records with them:
    // a list becomes its names joined with " + " (never a real field name), a constant's
    // missing side "". `namesOn` gives the real field names of either side.
    const single = (v: string | string[] | undefined) =>
      v === undefined ? '' : typeof v === 'string' ? v : v.join(' + ');
    return { hubspot: single(hubspot), salesforce: single(salesforce), ...f, direction, ...(parts ? { parts } : {}) };
  });

/** The side of a join/split entry that lists several fields. */
export interface FieldParts {
  side: Side;
  fields: string[];
}

const deletePolicy = z.enum(DELETE_POLICIES, { error: oneOf('the deletion policy', DELETE_POLICIES) });

export const objectMappingSchema = z
  .object({
    name: identifier('name')
      .regex(/^[a-z][a-z0-9_-]*$/, 'name must be lower-case letters, digits, - or _')
      .optional(),
    hubspot: z
      .object(
        { object: z.literal('contacts', { error: 'hubspot > object must be "contacts"' }) },
        { error: 'hubspot needs "object: contacts" on the next line' },
      )
      .strict(),
    salesforce: z
      .object(
        { object: z.enum(['Lead', 'Contact'], { error: 'salesforce > object must be "Lead" or "Contact"' }) },
        { error: 'salesforce needs "object: Lead" or "object: Contact" on the next line' },
      )
      .strict(),
    match: z
      .object(
        {
          hubspot: identifier('the HubSpot match property'),
          salesforce: identifier('the Salesforce match field'),
          case_insensitive: z.boolean({ error: 'case_insensitive must be true or false' }).default(true),
        },
        {
          error:
            'match needs a HubSpot property and a Salesforce field on lines of their own, e.g. "hubspot: email" and "salesforce: Email"',
        },
      )
      .strict(),
    /** The rule for every two-way field that does not name its own. */
    conflict: z.enum(CONFLICT_RULES, { error: oneOf('conflict', CONFLICT_RULES) }).optional(),
    on_delete: z
      .union(
        [
          deletePolicy,
          z.object({ in_hubspot: deletePolicy.optional(), in_salesforce: deletePolicy.optional() }).strict(),
        ],
        {
          error: `on_delete must be one of: ${DELETE_POLICIES.join(', ')}, or in_hubspot / in_salesforce with one of them`,
        },
      )
      .transform((p) =>
        typeof p === 'string'
          ? { in_hubspot: p, in_salesforce: p }
          : { in_hubspot: p.in_hubspot ?? 'ignore', in_salesforce: p.in_salesforce ?? 'ignore' },
      )
      .optional(),
    lead_conversion: z
      .enum(LEAD_CONVERSION_MODES, { error: oneOf('lead_conversion', LEAD_CONVERSION_MODES) })
      .optional(),
    fields: z
      .array(fieldMappingSchema, { error: 'fields must be a list of field entries' })
      .min(1, 'a mapping needs at least one field'),
  })
  .strict()
  .transform((m) => ({
    ...m,
    // The file-wide rule is copied onto each two-way field, so readers of a field never
    // need the file around it to know how its conflicts are settled.
    fields: m.fields.map((f) =>
      f.direction === 'both' && f.conflict === undefined && m.conflict !== undefined
        ? { ...f, conflict: m.conflict }
        : f,
    ),
  }));

export type FieldMapping = z.infer<typeof fieldMappingSchema>;
export type DirectionStep = z.infer<typeof directionStepSchema>;
export type UnmappedPolicy = z.infer<typeof unmappedSchema>;
export type Range = z.infer<typeof rangeSchema>;
export type ObjectMapping = z.infer<typeof objectMappingSchema> & { name: string; file: string };

/** A problem in a mapping file; the catalogue (problems.ts) lists every code. */
export type MappingProblem = Problem;
export { formatProblems, MappingError, sortProblems };
export type { Keys, Locator };

// Reading fields is the mapping's own business (src/mapping/fields.ts); re-exported for the checks' callers.
export { describeField, effectiveStep, FLOW_DIRECTIONS, flowsTo, invertValues, namesOn, sourceSide, targetSide };
export type { EffectiveStep };

// ---- parsing ----

export interface ParseResult {
  /** The mapping, when the file has no errors. */
  mapping?: ObjectMapping;
  /** The mapping as read, when its structure is valid even if cross-references are not; for further checks. */
  structure?: ObjectMapping;
  problems: MappingProblem[];
  /** Present when the YAML itself could be read; places later (live) problems in the file. */
  locate?: Locator;
}

/** Parses one mapping file's text; never throws for bad input, returns the problems instead. */
export function parseObjectMapping(text: string, file: string): ParseResult {
  const checked = checkDocument(text, file, objectMappingSchema, 'hubspot, salesforce, match and fields');
  const { value, locate } = checked;
  if (value === undefined || locate === undefined)
    return { problems: sortProblems(checked.problems), ...(locate ? { locate } : {}) };
  const mapping: ObjectMapping = { ...value, name: value.name ?? locate.stem, file };
  const sorted = sortProblems(crossCheck(mapping, locate));
  return sorted.some((p) => p.severity === 'error')
    ? { structure: mapping, problems: sorted, locate }
    : { mapping, structure: mapping, problems: sorted, locate };
}

// ---- the cross-reference pass ----

/** Where a setting of a direction was written, for pointing at it in a problem. */
export function settingKeys(field: FieldMapping, i: number, direction: FlowDirection, key: keyof EffectiveStep): Keys {
  const own = field[direction] as Record<string, unknown> | undefined;
  return own && own[key] !== undefined ? ['fields', i, direction, key] : ['fields', i, key];
}

/** A value written in the file that a field can send in one direction, and where it is written. */
export interface Literal {
  value: string;
  keys: Keys;
  /** How to name it in a message: `the mapped value`, `default`, … */
  what: string;
}

/**
 * Every fixed value field `i` can send in `direction`: mapped values, range values,
 * defaults and its constant. The checks hold them against the target's type and picklist.
 */
export function literalsOf(field: FieldMapping, i: number, direction: FlowDirection): Literal[] {
  const step = effectiveStep(field, direction);
  const out: Literal[] = [];
  if (field.constant !== undefined)
    out.push({ value: field.constant, keys: ['fields', i, 'constant'], what: 'the constant' });
  if (step.values && step.valuesFrom !== undefined) {
    const base: Keys = step.valuesFrom === 'field' ? ['fields', i, 'values'] : ['fields', i, direction, 'values'];
    // A field-level map read backwards produces its keys: the line to point at is the key's own.
    const reversed = step.valuesFrom === 'field' && direction === 'to_hubspot';
    for (const [key, value] of Object.entries(step.values)) {
      if (value !== null) out.push({ value, keys: [...base, reversed ? value : key], what: 'the mapped value' });
    }
  }
  step.ranges?.forEach((r, j) =>
    out.push({
      value: r.value,
      keys: [...settingKeys(field, i, direction, 'ranges'), j, 'value'],
      what: 'the range value',
    }),
  );
  if (step.default !== undefined)
    out.push({ value: step.default, keys: settingKeys(field, i, direction, 'default'), what: 'default' });
  if (typeof step.unmapped === 'object') {
    out.push({
      value: step.unmapped.default,
      keys: [...settingKeys(field, i, direction, 'unmapped'), 'default'],
      what: 'the unmapped default',
    });
  }
  return out;
}

const SIDE_WORD: Record<Side, string> = { hubspot: 'HubSpot property', salesforce: 'Salesforce field' };
const SIDE_NAME: Record<Side, string> = { hubspot: 'HubSpot', salesforce: 'Salesforce' };

function crossCheck(mapping: ObjectMapping, loc: Locator): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const add = (keys: Keys, code: ProblemCode, message: string, severity: MappingProblem['severity'] = 'error') =>
    problems.push(loc.problem(keys, code, message, severity));

  checkTargets(mapping, add);
  mapping.fields.forEach((field, i) => checkField(field, i, add));

  if (mapping.lead_conversion === 'follow' && mapping.salesforce.object !== 'Lead') {
    add(
      ['lead_conversion'],
      'lead_conversion_needs_lead',
      `lead_conversion: follow applies to Leads, but this file maps ${mapping.salesforce.object}s; remove it or map salesforce > object: Lead`,
    );
  }
  return problems;
}

type Add = (keys: Keys, code: ProblemCode, message: string, severity?: MappingProblem['severity']) => void;

/** Each target written by one entry only, and a pair flowing both ways settled by one rule. */
function checkTargets(mapping: ObjectMapping, add: Add): void {
  const writers = { hubspot: new Map<string, number>(), salesforce: new Map<string, number>() };
  mapping.fields.forEach((field, i) => {
    for (const direction of FLOW_DIRECTIONS) {
      if (!flowsTo(field, direction)) continue;
      const side = targetSide(direction);
      const list = namesOn(field, side);
      list.forEach((name, j) => {
        // Salesforce API names are case-insensitive; HubSpot property names are not.
        const key = side === 'hubspot' ? name : name.toLowerCase();
        const first = writers[side].get(key);
        const keys: Keys = field.parts?.side === side ? ['fields', i, side, j] : ['fields', i, side];
        if (first !== undefined && first !== i) {
          add(
            keys,
            'duplicate_target',
            `${SIDE_WORD[side]} "${name}" is already written by fields > ${first}; each target may be written by one field only`,
          );
        } else writers[side].set(key, i);
      });
    }
  });

  // Two one-way entries over the same pair, one each way, are a two-way field without a rule.
  const oneWay = new Map<string, { i: number; direction: Direction }>();
  mapping.fields.forEach((field, i) => {
    if (field.direction === 'both' || field.parts !== undefined || field.constant !== undefined) return;
    const key = `${field.hubspot}\u0000${field.salesforce.toLowerCase()}`;
    const other = oneWay.get(key);
    if (other && other.direction !== field.direction) {
      add(
        ['fields', i, 'direction'],
        'two_way_without_rule',
        `${field.hubspot} ↔ ${field.salesforce} is synced both ways by fields > ${other.i} and fields > ${i}, so a change on both sides has no rule to settle it; merge them into one entry with direction: both and a conflict rule`,
      );
    } else if (!other) oneWay.set(key, { i, direction: field.direction });
  });
}

function checkField(field: FieldMapping, i: number, add: Add): void {
  const label = describeField(field);
  if (field.direction === 'both' && field.conflict === undefined && field.constant === undefined) {
    add(
      ['fields', i],
      'missing_conflict_rule',
      `${label} is synced both ways but has no conflict rule; add conflict: ${CONFLICT_RULES.join(', ')} (or set conflict once at the top of the file for every two-way field)`,
    );
  }
  if (field.direction !== 'both' && field.conflict !== undefined) {
    add(
      ['fields', i, 'conflict'],
      'conflict_on_one_way',
      `conflict has no effect: ${label} only flows ${field.direction === 'to_salesforce' ? 'to Salesforce' : 'to HubSpot'}, so there are never two edits to choose between`,
      'warning',
    );
  }
  for (const direction of FLOW_DIRECTIONS) {
    if (field[direction] !== undefined && !flowsTo(field, direction)) {
      add(
        ['fields', i, direction],
        'unused_direction',
        `the ${direction} settings are never used: ${label} only flows ${field.direction === 'to_salesforce' ? 'to Salesforce' : 'to HubSpot'}`,
        'warning',
      );
    }
  }

  if (field.constant !== undefined) {
    checkConstant(field, i, add);
    return;
  }

  // Join and split: one side lists several fields (both sides listing is a structural error).
  if (field.parts) {
    const { side, fields: list } = field.parts;
    const splitsInto =
      (side === 'salesforce' && flowsTo(field, 'to_salesforce')) ||
      (side === 'hubspot' && flowsTo(field, 'to_hubspot'));
    if (list.length < 2) {
      add(
        ['fields', i, side],
        'split_targets',
        splitsInto
          ? `a split needs at least two ${SIDE_NAME[side]} fields to split into, e.g. [FirstName, LastName]; for one field write its name without brackets`
          : `a join needs at least two ${SIDE_NAME[side]} fields to join, e.g. [FirstName, LastName]; for one field write its name without brackets`,
      );
    }
    for (const key of ['values', 'ranges', 'type', 'unmapped'] as const) {
      for (const direction of FLOW_DIRECTIONS) {
        if (!flowsTo(field, direction) || effectiveStep(field, direction)[key] === undefined) continue;
        add(
          settingKeys(field, i, direction, key),
          'not_for_join_split',
          `${key} cannot be used on a field that is joined or split; map the parts as fields of their own instead`,
        );
        break;
      }
    }
  } else if (field.separator !== undefined) {
    add(
      ['fields', i, 'separator'],
      'separator_without_list',
      'separator is only used when one side lists several fields to join or split',
      'warning',
    );
  }

  if (field.ranges !== undefined && field.direction === 'both') {
    add(
      ['fields', i, 'ranges'],
      'ranges_both_ways',
      'ranges turn numbers into labels and cannot be read backwards; put them under to_salesforce or to_hubspot',
    );
  }
  if (field.values !== undefined && field.direction === 'both' && field.to_hubspot?.values === undefined) {
    const seen = new Map<string, string>();
    for (const [from, to] of Object.entries(field.values)) {
      if (to === null) continue;
      const earlier = seen.get(to);
      if (earlier !== undefined) {
        add(
          ['fields', i, 'values', from],
          'ambiguous_reverse',
          `"${earlier}" and "${from}" both become "${to}"; on the way back to HubSpot "${to}" becomes "${earlier}" (add to_hubspot > values to choose otherwise)`,
          'warning',
        );
      } else seen.set(to, from);
    }
  }

  for (const direction of FLOW_DIRECTIONS) {
    if (flowsTo(field, direction)) checkStep(field, i, direction, add);
  }
}

function checkConstant(field: FieldMapping, i: number, add: Add): void {
  const named = (['hubspot', 'salesforce'] as const).filter((s) => namesOn(field, s).length > 0);
  if (named.length !== 1) {
    add(
      ['fields', i, 'constant'],
      'constant_sides',
      'a constant is written to one side only: keep either hubspot or salesforce (the field it is written to) and remove the other',
    );
    return;
  }
  const side = named[0] as Side;
  const direction: FlowDirection = side === 'salesforce' ? 'to_salesforce' : 'to_hubspot';
  if (field.direction !== direction) {
    add(
      ['fields', i, 'direction'],
      'constant_direction',
      `a constant for a ${SIDE_NAME[side]} field flows ${direction}; remove direction or set it to ${direction}`,
    );
  }
  if (namesOn(field, side).length !== 1)
    add(['fields', i, side], 'constant_sides', 'a constant is written to exactly one field');
  for (const key of ['values', 'ranges', 'unmapped', 'default'] as const) {
    if (effectiveStep(field, direction)[key] !== undefined) {
      add(
        settingKeys(field, i, direction, key),
        'constant_with_transforms',
        `${key} has nothing to work on: a constant is always written as it is`,
      );
    }
  }
  const type = effectiveStep(field, direction).type;
  if (type && field.constant !== undefined && !coerceValue(type, field.constant).ok) {
    add(
      ['fields', i, 'constant'],
      'value_not_of_type',
      `the constant "${field.constant}" is not ${describeType(type)}, but the field holds ${type} values (type: ${type})`,
    );
  }
}

function checkStep(field: FieldMapping, i: number, direction: FlowDirection, add: Add): void {
  const step = effectiveStep(field, direction);
  const to = direction === 'to_salesforce' ? 'Salesforce' : 'HubSpot';
  if (step.values !== undefined && step.ranges !== undefined) {
    add(
      settingKeys(field, i, direction, 'ranges'),
      'values_and_ranges',
      `values and ranges both choose the value sent to ${to}; keep one of them`,
    );
  }
  if (step.unmapped !== undefined && step.values === undefined && step.ranges === undefined) {
    add(
      settingKeys(field, i, direction, 'unmapped'),
      'unmapped_without_values',
      'unmapped says what to do with a value that values or ranges do not list, but this field has neither',
    );
  }
  if (step.ranges) {
    const froms = new Set<number>();
    step.ranges.forEach((r, j) => {
      if (froms.has(r.from))
        add(
          [...settingKeys(field, i, direction, 'ranges'), j, 'from'],
          'duplicate_range',
          `two ranges start at ${r.from}; each range needs its own starting value`,
        );
      froms.add(r.from);
    });
  }
  if (step.type !== undefined && step.type !== 'text') {
    const type = step.type;
    for (const literal of literalsOf(field, i, direction)) {
      // The constant has its own check, with a message about constants.
      if (literal.what === 'the constant' || coerceValue(type, literal.value).ok) continue;
      add(
        literal.keys,
        'value_not_of_type',
        `${literal.what} "${literal.value}" is not ${describeType(type)}, but the value sent to ${to} must be (type: ${type})`,
      );
    }
    if (step.truncate !== undefined) {
      add(
        settingKeys(field, i, direction, 'truncate'),
        'truncate_not_text',
        `truncate cuts text, but the value sent to ${to} is ${describeType(type)} (type: ${type}); remove truncate`,
      );
    }
  }
}

// ---- loading ----

/** Loads one file from disk. Throws MappingError with every problem when it is invalid. */
export function loadObjectMappingFile(file: string): ObjectMapping {
  const { mapping, problems } = parseObjectMappingFile(file);
  if (!mapping) throw new MappingError(problems);
  return mapping;
}

/** Reads and parses one file; a missing, unreadable or oversized file is a problem like any other. */
export function parseObjectMappingFile(file: string): ParseResult {
  const read = readText(file);
  return read.ok ? parseObjectMapping(read.text, file) : { problems: read.problems };
}

/** The object mappings of a folder (`contact.yaml`, …); handover and forms files are not object mappings. */
export const NON_OBJECT_MAPPING_FILES = new Set(['handover.yaml', 'forms.yaml']);

/** The object-mapping files of a folder, sorted. */
export function mappingFilesIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !NON_OBJECT_MAPPING_FILES.has(f))
    .sort();
}

export function loadMappingsDir(dir: string): ObjectMapping[] {
  if (!fs.existsSync(dir))
    throw new MappingError([
      fileProblem(
        dir,
        'missing_dir',
        'the mappings folder does not exist; set BATON_MAPPINGS_DIR or create it with a contact.yaml',
        '',
      ),
    ]);
  const mappings: ObjectMapping[] = [];
  const problems: MappingProblem[] = [];
  for (const f of mappingFilesIn(dir)) {
    const full = path.join(dir, f);
    const result = parseObjectMappingFile(full);
    problems.push(...result.problems.filter((p) => p.severity === 'error'));
    if (result.mapping) mappings.push(result.mapping);
  }
  if (problems.length > 0) throw new MappingError(problems);
  return mappings;
}
