import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { closest, didYouMean, problem, type Problem, type ProblemCode } from './problems';

/**
 * The one loader of the YAML files in mappings/: reads the text keeping positions,
 * refuses hostile input with one plain problem each, runs a zod schema over the document
 * and turns every issue into a catalogue problem placed at its line and column. The
 * files' own cross-reference passes then report through the same `Locator`.
 */

/** No mapping or policy file comes near this; a larger one is a mistake or an attack. */
export const MAX_FILE_BYTES = 1_000_000;
/** Aliases (`*name`) the document may expand; a few are handy, thousands are a billion-laughs bomb. */
export const MAX_ALIASES = 100;
/** Nesting levels; the deepest real mapping has about eight. */
export const MAX_DEPTH = 64;

export type Keys = (string | number)[];
export type Severity = Problem['severity'];

/** The file's name as paths start with it: `contact` for mappings/contact.yaml. */
export const stemOf = (file: string): string => path.basename(file).replace(/\.ya?ml$/, '');

/** A problem about the whole file, placed at its top. */
export function fileProblem(file: string, code: ProblemCode, message: string, pathText = stemOf(file)): Problem {
  return problem({ file, line: 1, column: 1, path: pathText, code, message, severity: 'error' });
}

// ---- positions ----

/** Finds where a path points in the YAML text, and names it for people. The one position finder. */
export class Locator {
  readonly stem: string;

  constructor(
    private readonly doc: Document,
    private readonly counter: LineCounter,
    readonly file: string,
  ) {
    this.stem = stemOf(file);
  }

  private node(keys: Keys): YamlNode | undefined {
    const found: unknown = keys.length === 0 ? this.doc.contents : this.doc.getIn(keys, true);
    return found !== null && typeof found === 'object' && 'range' in found ? (found as YamlNode) : undefined;
  }

  /**
   * The part of `keys` worth showing: it stops at a scalar, since a rep written as a
   * plain email has no `email` key and the problem is the email itself.
   */
  private existing(keys: Keys): Keys {
    for (let depth = 0; depth < keys.length; depth++) {
      const node = this.node(keys.slice(0, depth));
      if (node !== undefined && !isMap(node) && !isSeq(node)) return keys.slice(0, depth);
    }
    return keys;
  }

  private pos(offset: number): { line: number; column: number } {
    const p = this.counter.linePos(offset);
    return { line: p.line, column: p.col };
  }

  /** Where a value stands; a missing key is placed at its parent. */
  at(keys: Keys): { line: number; column: number; path: string } {
    const shown = this.existing(keys);
    for (let depth = shown.length; depth >= 0; depth--) {
      const node = this.node(shown.slice(0, depth));
      if (node?.range) return { ...this.pos(node.range[0]), path: this.path(shown) };
    }
    return { line: 1, column: 1, path: this.path(shown) };
  }

  /** Where a key itself stands (not its value), for "unknown key" problems. */
  key(parent: Keys, key: string): { line: number; column: number; path: string } {
    const map = this.node(parent);
    if (map !== undefined && isMap(map)) {
      for (const pair of map.items) {
        const k = pair.key;
        if (isScalar(k) && String(k.value) === key && k.range)
          return { ...this.pos(k.range[0]), path: this.path([...parent, key]) };
      }
    }
    return { ...this.at(parent), path: this.path([...parent, key]) };
  }

  path(keys: Keys): string {
    return [this.stem, ...keys].join(' > ');
  }

  problem(keys: Keys, code: ProblemCode, message: string, severity: Severity = 'error'): Problem {
    const { line, column, path: shown } = this.at(keys);
    return problem({ file: this.file, line, column, path: shown, code, message, severity });
  }

  keyProblem(parent: Keys, key: string, code: ProblemCode, message: string, severity: Severity = 'error'): Problem {
    const { line, column, path: shown } = this.key(parent, key);
    return problem({ file: this.file, line, column, path: shown, code, message, severity });
  }
}

// ---- reading ----

export interface ReadDocument {
  /** The document as plain values (YAML's numbers, booleans and dates included). */
  value: unknown;
  locate: Locator;
}

/** C0 control characters other than tab, newline, carriage return and escape, and U+FFFD (undecodable bytes). */
const isOdd = (code: number) =>
  code === 0xfffd || (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x1b);

/** Binary data read as UTF-8: NUL bytes, control characters or undecodable bytes. */
function looksBinary(text: string): boolean {
  if (text.includes('\u0000')) return true;
  const sample = text.slice(0, 8192);
  let odd = 0;
  for (let i = 0; i < sample.length; i++) if (isOdd(sample.charCodeAt(i))) odd++;
  return odd > 0 && odd * 20 > sample.length;
}

/** The depth of the deepest collection, without recursing (a deep document must not overflow the stack here). */
function tooDeep(doc: Document): { offset: number } | undefined {
  let found: { offset: number } | undefined;
  visit(doc, {
    Collection(_key, node, path) {
      // `path` holds the document, and a pair between each collection and its child.
      if (path.length / 2 > MAX_DEPTH) {
        found = { offset: node.range?.[0] ?? 0 };
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * Reads a YAML text into plain values with positions. Returns the problems instead when
 * it cannot: too large, not text, not valid YAML, nested too deep, too many aliases, or
 * not a mapping (`expected` says what the file should hold).
 */
export function readYaml(
  text: string,
  file: string,
  expected: string,
): { ok: true; doc: ReadDocument } | { ok: false; problems: Problem[] } {
  const fail = (...problems: Problem[]) => ({ ok: false as const, problems });
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_FILE_BYTES) return fail(fileProblem(file, 'too_large', tooLargeMessage(bytes)));
  if (looksBinary(text))
    return fail(fileProblem(file, 'not_text', 'the file is not text (it holds binary data); it must be a YAML file'));

  const counter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  } catch (err) {
    if (err instanceof RangeError) return fail(fileProblem(file, 'too_deep', tooDeepMessage()));
    throw err;
  }
  const at = (offset: number) => {
    const p = counter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  // The parser recurses per level of flow collections ([[[[…]]]]) and reports running out of
  // stack as an error, at a place that depends on the stack size: the file is named instead.
  if (doc.errors.some((err) => /call stack/i.test(err.message)))
    return fail(fileProblem(file, 'too_deep', tooDeepMessage()));
  if (doc.errors.length > 0) {
    return fail(
      ...doc.errors.map((err) =>
        problem({
          file,
          ...at(err.pos[0]),
          path: stemOf(file),
          code: 'syntax',
          message: `the YAML is not valid: ${err.message.split('\n')[0] ?? ''}`,
          severity: 'error',
        }),
      ),
    );
  }
  const deep = tooDeep(doc);
  if (deep) return fail({ ...fileProblem(file, 'too_deep', tooDeepMessage()), ...at(deep.offset) });
  if (!isMap(doc.contents))
    return fail(fileProblem(file, 'not_a_mapping', `the file must be a YAML mapping with ${expected}`));

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    // yaml throws a ReferenceError ("Excessive alias count …") before expanding a bomb.
    if (err instanceof ReferenceError)
      return fail(
        fileProblem(
          file,
          'too_many_aliases',
          `the file's YAML aliases (*name) expand into too many values (the limit is ${MAX_ALIASES}); write the values out instead`,
        ),
      );
    throw err;
  }
  return { ok: true, doc: { value, locate: new Locator(doc, counter, file) } };
}

const tooLargeMessage = (bytes: number) =>
  `the file is ${(bytes / 1_000_000).toFixed(1)} MB; a mapping file is at most ${MAX_FILE_BYTES / 1_000_000} MB`;
const tooDeepMessage = () => `the file nests more than ${MAX_DEPTH} levels deep; check its indentation and brackets`;

/** Reads a file's text, refusing one that is missing, unreadable or too large before reading it. */
export function readText(file: string): { ok: true; text: string } | { ok: false; problems: Problem[] } {
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_FILE_BYTES) return { ok: false, problems: [fileProblem(file, 'too_large', tooLargeMessage(size))] };
    return { ok: true, text: fs.readFileSync(file, 'utf8') };
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'the file does not exist'
        : `the file cannot be read (${String(err)})`;
    return { ok: false, problems: [fileProblem(file, 'unreadable', reason)] };
  }
}

// ---- the structural pass ----

/** An issue as zod 4 reports it; only what the translation reads. */
type Issue = z.core.$ZodIssue;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function valueAt(root: unknown, keys: Keys): { found: boolean; value: unknown; parentIsMapping: boolean } {
  let at: unknown = root;
  let parentIsMapping = false;
  for (const [i, k] of keys.entries()) {
    if (i === keys.length - 1) parentIsMapping = isRecord(at);
    if (Array.isArray(at) && typeof k === 'number') at = at[k];
    else if (isRecord(at) && String(k) in at) at = at[String(k)];
    else return { found: false, value: undefined, parentIsMapping };
  }
  return { found: true, value: at, parentIsMapping };
}

/** The values an enum or literal allows, also from inside a union. */
function allowedValues(issue: Issue): string[] {
  if (issue.code === 'invalid_value') return issue.values.map(String);
  if (issue.code === 'invalid_union') return issue.errors.flat().flatMap(allowedValues);
  return [];
}

const isScalarValue = (v: unknown): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A message for the issues whose schema has no wording of its own (zod's starts "Invalid", "Too small", …). */
function ownWording(issue: Issue, keys: Keys, stem: string): string | undefined {
  if (!/^(Invalid|Too (small|big)|Expected|Unrecognized)/.test(issue.message)) return issue.message;
  const last = keys[keys.length - 1];
  const name =
    last === undefined ? stem : typeof last === 'number' ? `${String(keys[keys.length - 2])} > ${last}` : last;
  if (issue.code === 'invalid_type') {
    if (issue.expected === 'object') return `${name} must be a mapping of keys (key: value lines indented below it)`;
    if (issue.expected === 'array') return `${name} must be a list`;
    return `${name} must be a ${issue.expected}`;
  }
  if (issue.code === 'too_small') return `${name} is too small`;
  return undefined;
}

/** One zod issue as catalogue problems (an issue about unknown keys becomes one per key). */
function problemsOf(issue: Issue, raw: unknown, locate: Locator): Problem[] {
  const keys = issue.path.filter((k): k is string | number => typeof k === 'string' || typeof k === 'number');
  const stem = locate.stem;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) =>
      locate.keyProblem(keys, key, 'unknown_key', `unknown key "${key}"; check the spelling`),
    );
  }
  const { found, value, parentIsMapping } = valueAt(raw, keys);
  // zod does not say whether a key was missing or had the wrong value; the document does.
  if (!found && parentIsMapping && keys.length > 0)
    return [locate.problem(keys, 'missing_key', `"${String(keys[keys.length - 1])}" is required`)];

  const message = ownWording(issue, keys, stem) ?? issue.message;
  const requested = issue.code === 'custom' ? issue.params?.code : undefined;
  let code: ProblemCode;
  if (typeof requested === 'string' && (requested === 'two_lists' || requested === 'missing_key')) code = requested;
  else if (issue.code === 'invalid_type') code = 'wrong_type';
  else if (issue.code === 'too_small') code = 'too_small';
  else if (issue.code === 'invalid_union') code = isScalarValue(value) ? 'invalid_value' : 'wrong_type';
  else code = 'invalid_value';

  const allowed = allowedValues(issue);
  if (allowed.length > 0 && isScalarValue(value)) {
    // A slip in an allowed word: quote what was written and the nearest allowed one.
    const written = String(value);
    const guess = closest(written, allowed);
    return [
      locate.problem(
        keys,
        code,
        `${message} (got "${written}")${guess === written ? '' : didYouMean(written, allowed)}`,
      ),
    ];
  }
  return [locate.problem(keys, code, message)];
}

export interface Checked<T> {
  /** The schema's output, when the structure is valid. */
  value?: T;
  problems: Problem[];
  /** Present when the YAML itself could be read; places the later passes' problems in the file. */
  locate?: Locator;
}

/**
 * The first two passes' common part: read the YAML, then the structure with `schema`.
 * Never throws for bad input; every problem is returned, in reading order within the file.
 */
export function checkDocument<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
  expected: string,
): Checked<z.output<S>> {
  const read = readYaml(text, file, expected);
  if (!read.ok) return { problems: read.problems };
  const { value: raw, locate } = read.doc;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { value: parsed.data, problems: [], locate };
  return { problems: parsed.error.issues.flatMap((issue) => problemsOf(issue, raw, locate)), locate };
}
