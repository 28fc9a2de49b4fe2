import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { z } from 'zod';

/**
 * Mapping files are edited by hand by RevOps. Loading them has two goals: the worker
 * gets a typed object, and a person gets every problem at once, each with file, line,
 * column, a path they can follow (`contact > fields > 3 > salesforce`) and a message
 * they can act on.
 */

export const DIRECTIONS = ['both', 'to_salesforce', 'to_hubspot'] as const;
export const CONFLICT_RULES = ['hubspot_wins', 'salesforce_wins', 'last_write_wins', 'prefer_non_blank'] as const;
export const SIMPLE_TRANSFORMS = ['trim', 'lowercase', 'uppercase'] as const;

const identifier = (what: string) =>
  z.string({ error: `${what} must be a text value` }).min(1, `${what} must not be empty`);

export const fieldMappingSchema = z
  .object({
    hubspot: identifier('the HubSpot property name'),
    salesforce: identifier('the Salesforce field name'),
    direction: z.enum(DIRECTIONS, { error: `direction must be one of: ${DIRECTIONS.join(', ')}` }).default('both'),
    conflict: z.enum(CONFLICT_RULES, { error: `conflict must be one of: ${CONFLICT_RULES.join(', ')}` }).optional(),
    default: z.string({ error: 'default must be a text value (quote it)' }).optional(),
    transforms: z
      .array(z.enum(SIMPLE_TRANSFORMS, { error: `each transform must be one of: ${SIMPLE_TRANSFORMS.join(', ')}` }))
      .default([]),
  })
  .strict();

export const objectMappingSchema = z
  .object({
    name: identifier('name').regex(/^[a-z][a-z0-9_-]*$/, 'name must be lower-case letters, digits, - or _').optional(),
    hubspot: z.object({ object: z.literal('contacts', { error: 'hubspot > object must be "contacts"' }) }).strict(),
    salesforce: z
      .object({ object: z.enum(['Lead', 'Contact'], { error: 'salesforce > object must be "Lead" or "Contact"' }) })
      .strict(),
    match: z
      .object({
        hubspot: identifier('the HubSpot match property'),
        salesforce: identifier('the Salesforce match field'),
        case_insensitive: z.boolean().default(true),
      })
      .strict(),
    fields: z.array(fieldMappingSchema).min(1, 'a mapping needs at least one field'),
  })
  .strict();

export type FieldMapping = z.infer<typeof fieldMappingSchema>;
export type ObjectMapping = z.infer<typeof objectMappingSchema> & { name: string; file: string };

export interface MappingProblem {
  file: string;
  line: number;
  column: number;
  /** Human path into the document, e.g. `contact > fields > 3 > salesforce`. */
  path: string;
  code: string;
  message: string;
  severity: 'error' | 'warning';
}

export class MappingError extends Error {
  constructor(readonly problems: MappingProblem[]) {
    super(formatProblems(problems));
    this.name = 'MappingError';
  }
}

export function formatProblems(problems: MappingProblem[]): string {
  return problems
    .map((p) => `${p.file}:${p.line}:${p.column} ${p.severity} [${p.code}] ${p.path}: ${p.message}`)
    .join('\n');
}

function position(doc: Document, counter: LineCounter, keys: (string | number)[]): { line: number; column: number } {
  // Walk down as far as the path exists; a missing key is reported at its parent.
  for (let depth = keys.length; depth >= 0; depth--) {
    const sub = keys.slice(0, depth);
    const node = (sub.length === 0 ? doc.contents : doc.getIn(sub, true)) as YamlNode | null | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) {
      const pos = counter.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

/** Where a key itself stands (not its value), for "unknown key" problems. */
function keyPosition(doc: Document, counter: LineCounter, parent: (string | number)[], key: string): { line: number; column: number } {
  const map = parent.length === 0 ? doc.contents : doc.getIn(parent, true);
  if (isMap(map)) {
    for (const pair of map.items) {
      const k = pair.key as YamlNode | null;
      if (k && isScalar(k) && k.value === key && k.range) {
        const pos = counter.linePos(k.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
  }
  return position(doc, counter, parent);
}

export interface ParseResult {
  mapping?: ObjectMapping;
  problems: MappingProblem[];
}

/** Parses one mapping file's text; never throws for bad input, returns the problems instead. */
export function parseObjectMapping(text: string, file: string): ParseResult {
  const stem = path.basename(file).replace(/\.ya?ml$/, '');
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  const problems: MappingProblem[] = [];
  for (const err of doc.errors) {
    const pos = counter.linePos(err.pos[0]);
    problems.push({
      file,
      line: pos.line,
      column: pos.col,
      path: stem,
      code: 'yaml_syntax',
      message: `the YAML is not valid: ${err.message.split('\n')[0]}`,
      severity: 'error',
    });
  }
  if (problems.length > 0) return { problems };
  if (!isMap(doc.contents)) {
    return {
      problems: [{ file, line: 1, column: 1, path: stem, code: 'not_a_mapping', message: 'the file must be a YAML mapping with hubspot, salesforce, match and fields', severity: 'error' }],
    };
  }
  const parsed = objectMappingSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const keys = issue.path.filter((k): k is string | number => typeof k === 'string' || typeof k === 'number');
      let message = issue.message;
      if (issue.code === 'invalid_type' && issue.input === undefined) message = `"${String(keys[keys.length - 1])}" is required`;
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          const at = keyPosition(doc, counter, keys, key);
          problems.push({ file, line: at.line, column: at.column, path: [stem, ...keys, key].join(' > '), code: 'unknown_key', message: `unknown key "${key}"; check the spelling`, severity: 'error' });
        }
        continue;
      }
      const at = position(doc, counter, keys);
      problems.push({ file, line: at.line, column: at.column, path: [stem, ...keys].join(' > '), code: issue.code, message, severity: 'error' });
    }
    return { problems };
  }
  const mapping: ObjectMapping = { ...parsed.data, name: parsed.data.name ?? stem, file };
  problems.push(...crossCheck(mapping, doc, counter, stem));
  return problems.some((p) => p.severity === 'error') ? { problems } : { mapping, problems };
}

function crossCheck(mapping: ObjectMapping, doc: Document, counter: LineCounter, stem: string): MappingProblem[] {
  const problems: MappingProblem[] = [];
  const at = (keys: (string | number)[]) => position(doc, counter, keys);
  const seen = { hubspot: new Map<string, number>(), salesforce: new Map<string, number>() };
  mapping.fields.forEach((field, i) => {
    for (const side of ['hubspot', 'salesforce'] as const) {
      const writesThisSide = side === 'salesforce' ? field.direction !== 'to_hubspot' : field.direction !== 'to_salesforce';
      if (!writesThisSide) continue;
      const key = side === 'hubspot' ? field[side] : field[side].toLowerCase();
      const first = seen[side].get(key);
      if (first !== undefined) {
        problems.push({ file: mapping.file, ...at(['fields', i, side]), path: `${stem} > fields > ${i} > ${side}`, code: 'duplicate_target', message: `${side === 'hubspot' ? 'HubSpot property' : 'Salesforce field'} "${field[side]}" is already written by fields > ${first}; each target may be written by one field only`, severity: 'error' });
      } else seen[side].set(key, i);
    }
  });
  return problems;
}

/** Loads one file from disk. Throws MappingError with every problem when it is invalid. */
export function loadObjectMappingFile(file: string): ObjectMapping {
  const text = fs.readFileSync(file, 'utf8');
  const { mapping, problems } = parseObjectMapping(text, file);
  if (!mapping) throw new MappingError(problems);
  return mapping;
}

/** The object mappings of a folder (`contact.yaml`, …); handover and forms files are not object mappings. */
export const NON_OBJECT_MAPPING_FILES = new Set(['handover.yaml', 'forms.yaml']);

export function loadMappingsDir(dir: string): ObjectMapping[] {
  if (!fs.existsSync(dir)) throw new MappingError([{ file: dir, line: 1, column: 1, path: '', code: 'missing_dir', message: `the mappings folder does not exist; set BATON_MAPPINGS_DIR or create it with a contact.yaml`, severity: 'error' }]);
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && !NON_OBJECT_MAPPING_FILES.has(f)).sort();
  const mappings: ObjectMapping[] = [];
  const problems: MappingProblem[] = [];
  for (const f of files) {
    const full = path.join(dir, f);
    const result = parseObjectMapping(fs.readFileSync(full, 'utf8'), full);
    problems.push(...result.problems.filter((p) => p.severity === 'error'));
    if (result.mapping) mappings.push(result.mapping);
  }
  if (problems.length > 0) throw new MappingError(problems);
  return mappings;
}
