/**
 * WHERE clauses. The parser returns conditions as a flat chain (`left`, `operator`,
 * `right`) with parenthesis counts on each condition; this module turns that chain back
 * into a tree and compiles it to a predicate over stored records.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_conditionexpression.htm
 */
import type {
  ConditionWithValueQuery,
  LiteralType,
  NegationCondition,
  Query as ParsedQuery,
  ValueQueryCondition,
  WhereClause,
} from '@jetstreamapp/soql-parser-js';
import { toId18 } from '../ids';
import {
  type FieldSchema,
  type FieldValue,
  ID_TYPES,
  NUMBER_TYPES,
  type ObjectSchema,
  type SObjectRecord,
  TEXT_TYPES,
} from '../schema';
import { formatDate, formatDateTime, parseDateTime } from '../values';
import { dateLiteralRange, likeMatcher, unquote } from './literals';
import { type FieldPath, makeGetter, resolvePath } from './paths';
import { locatedError, type SoqlDataSource, SoqlError } from './types';

export type Predicate = (record: SObjectRecord) => boolean;

/** Runs a sub-query (semi-join) and returns the values of its single selected field. */
export type SubqueryRunner = (query: ParsedQuery) => Set<string>;

export interface WhereContext {
  ds: SoqlDataSource;
  root: ObjectSchema;
  soql: string;
  alias?: string;
  now: number;
  runSubquery: SubqueryRunner;
}

type FieldCondition = Exclude<ConditionWithValueQuery, NegationCondition>;
type Token =
  | { kind: 'open' }
  | { kind: 'close' }
  | { kind: 'not' }
  | { kind: 'and' }
  | { kind: 'or' }
  | { kind: 'cond'; cond: FieldCondition };

/** The parser marks a NOT with a condition-less left side (null, or just its open parentheses). */
function isNegation(left: ConditionWithValueQuery | null): left is NegationCondition | null {
  return left === null || (!('field' in left) && !('fn' in left));
}

/** Flattens the parser's chain into tokens: `(`, `)`, NOT, AND, OR and conditions. */
function tokenize(where: WhereClause): Token[] {
  const tokens: Token[] = [];
  let node: WhereClause | undefined = where;
  while (node) {
    const left: ConditionWithValueQuery | null = node.left;
    const operator = 'operator' in node ? node.operator : undefined;
    const right: WhereClause | undefined = 'right' in node ? node.right : undefined;
    if (isNegation(left)) {
      for (let i = 0; i < (left?.openParen ?? 0); i++) tokens.push({ kind: 'open' });
      tokens.push({ kind: 'not' });
      node = right;
      continue;
    }
    for (let i = 0; i < (left.openParen ?? 0); i++) tokens.push({ kind: 'open' });
    tokens.push({ kind: 'cond', cond: left });
    for (let i = 0; i < (left.closeParen ?? 0); i++) tokens.push({ kind: 'close' });
    if (operator === 'AND') tokens.push({ kind: 'and' });
    else if (operator === 'OR') tokens.push({ kind: 'or' });
    else if (operator === 'NOT') tokens.push({ kind: 'not' });
    node = right;
  }
  return tokens;
}

export function compileWhere(where: WhereClause, ctx: WhereContext): Predicate {
  const tokens = tokenize(where);
  let pos = 0;
  const malformed = (what: string) => new SoqlError('MALFORMED_QUERY', `unexpected token: ${what}`);

  // SOQL has no precedence between AND and OR: mixing them at one level needs parentheses.
  const expression = (): Predicate => {
    const terms: Predicate[] = [term()];
    let joiner: 'and' | 'or' | undefined;
    for (let t = tokens[pos]; t && (t.kind === 'and' || t.kind === 'or'); t = tokens[pos]) {
      if (joiner && joiner !== t.kind) throw malformed(t.kind.toUpperCase());
      joiner = t.kind;
      pos++;
      terms.push(term());
    }
    const [only] = terms;
    if (terms.length === 1 && only) return only;
    return joiner === 'or' ? (r) => terms.some((p) => p(r)) : (r) => terms.every((p) => p(r));
  };

  const term = (): Predicate => {
    const t = tokens[pos++];
    if (!t) throw malformed("'<EOF>'");
    if (t.kind === 'not') {
      const inner = term();
      return (r) => !inner(r);
    }
    if (t.kind === 'open') {
      const inner = expression();
      if (tokens[pos]?.kind !== 'close') throw malformed(tokens[pos] ? tokenText(tokens[pos]) : "'<EOF>'");
      pos++;
      return inner;
    }
    if (t.kind === 'cond') return compileCondition(t.cond, ctx);
    throw malformed(tokenText(t));
  };

  const predicate = expression();
  if (pos < tokens.length) throw malformed(tokenText(tokens[pos]));
  return predicate;
}

function tokenText(t: Token | undefined): string {
  if (!t) return "'<EOF>'";
  return t.kind === 'open'
    ? "'('"
    : t.kind === 'close'
      ? "')'"
      : t.kind === 'cond'
        ? 'condition'
        : t.kind.toUpperCase();
}

type Kind = 'text' | 'id' | 'number' | 'boolean' | 'date' | 'datetime';

function kindOf(f: FieldSchema): Kind {
  if (TEXT_TYPES.has(f.type)) return 'text';
  if (ID_TYPES.has(f.type)) return 'id';
  if (NUMBER_TYPES.has(f.type)) return 'number';
  if (f.type === 'boolean') return 'boolean';
  if (f.type === 'date') return 'date';
  return 'datetime';
}

const TYPE_WORD: Record<Kind, string> = {
  text: 'string',
  id: 'id',
  number: 'double',
  boolean: 'boolean',
  date: 'date',
  datetime: 'dateTime',
};

/** The type name the API's filter errors use for a field. */
function typeWord(f: FieldSchema, kind: Kind): string {
  if (f.type === 'int') return 'integer';
  if (f.type === 'currency' || f.type === 'percent') return f.type;
  return TYPE_WORD[kind];
}

/** A literal after conversion to the stored representation of its field. */
type Operand =
  | { kind: 'null' }
  | { kind: 'value'; value: string | number | boolean }
  | { kind: 'range'; start: string; end: string };

interface Literal {
  raw: string;
  type: LiteralType;
}

type ValueConditions = Exclude<FieldCondition, ValueQueryCondition>;

function literalsOf(cond: ValueConditions): Literal[] {
  const values = Array.isArray(cond.value) ? cond.value : cond.value === undefined ? [] : [cond.value];
  const types = cond.literalType;
  return values.map((raw, i) => ({ raw, type: (Array.isArray(types) ? types[i] : types) ?? 'STRING' }));
}

function compileCondition(cond: FieldCondition, ctx: WhereContext): Predicate {
  if (!('field' in cond) || typeof cond.field !== 'string') {
    throw new SoqlError(
      'MALFORMED_QUERY',
      'The Salesforce sandbox supports only field conditions in WHERE (no functions such as CALENDAR_YEAR()).',
    );
  }
  const path = resolvePath(ctx.ds, ctx.root, cond.field, ctx.soql, ctx.alias);
  if (!path.field.filterable) {
    throw locatedError(
      'INVALID_FIELD',
      ctx.soql,
      cond.field,
      `field '${path.field.name}' can not be filtered in a query call`,
    );
  }
  const get = makeGetter(ctx.ds, path);
  const operator = cond.operator.toUpperCase();
  const kind = kindOf(path.field);

  if ('valueQuery' in cond && cond.valueQuery) {
    if (operator !== 'IN' && operator !== 'NOT IN')
      throw new SoqlError('MALFORMED_QUERY', `unexpected token: ${operator}`);
    if (kind !== 'id') {
      throw locatedError(
        'INVALID_FIELD',
        ctx.soql,
        cond.field,
        `The left operand field in the where expression for outer query should be an id field, cannot use: '${path.field.name}'`,
      );
    }
    const ids = ctx.runSubquery(cond.valueQuery);
    const negate = operator === 'NOT IN';
    return (r) => {
      const v = get(r);
      const hit = typeof v === 'string' && ids.has(v);
      return negate ? !hit : hit;
    };
  }

  if ('valueQuery' in cond) throw new SoqlError('MALFORMED_QUERY', 'unexpected sub-query');
  const literals = literalsOf(cond);
  const operands = literals.map((l) => toOperand(l, path, kind, ctx, operator === 'LIKE'));

  switch (operator) {
    case '=':
      return equality(get, kind, operands, false);
    case '!=':
    case '<>':
      return equality(get, kind, operands, true);
    case 'IN':
      return equality(get, kind, operands, false);
    case 'NOT IN':
      return equality(get, kind, operands, true);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return ordering(get, kind, operator, operands[0], path, ctx);
    case 'LIKE': {
      if (kind !== 'text')
        throw locatedError(
          'INVALID_FIELD',
          ctx.soql,
          cond.field,
          `invalid operator on ${kind === 'id' ? 'id' : TYPE_WORD[kind]} field: LIKE`,
        );
      const op = operands[0];
      if (!op || op.kind !== 'value' || typeof op.value !== 'string') return () => false;
      const re = likeMatcher(op.value);
      return (r) => {
        const v = get(r);
        return typeof v === 'string' && re.test(v);
      };
    }
    case 'INCLUDES':
    case 'EXCLUDES': {
      if (path.field.type !== 'multipicklist') {
        throw locatedError(
          'INVALID_FIELD',
          ctx.soql,
          cond.field,
          `includes or excludes operator only valid on multipicklist field`,
        );
      }
      const sets = operands.map((o) =>
        o.kind === 'value'
          ? String(o.value)
              .split(';')
              .map((s) => s.trim().toUpperCase())
          : [],
      );
      const includes = (r: SObjectRecord) => {
        const v = get(r);
        if (typeof v !== 'string') return false;
        const have = new Set(v.split(';').map((s) => s.trim().toUpperCase()));
        return sets.some((need) => need.every((n) => have.has(n)));
      };
      return operator === 'INCLUDES' ? includes : (r) => !includes(r);
    }
    default:
      throw new SoqlError('MALFORMED_QUERY', `unexpected token: ${cond.operator}`);
  }
}

function toOperand(l: Literal, path: FieldPath, kind: Kind, ctx: WhereContext, forLike: boolean): Operand {
  const wrongType = () => {
    const quoted = kind === 'text' || kind === 'id';
    return locatedError(
      'INVALID_FIELD',
      ctx.soql,
      l.raw,
      `value of filter criterion for field '${path.field.name}' must be of type ${typeWord(path.field, kind)} and should ${quoted ? '' : 'not '}be enclosed in quotes`,
    );
  };
  if (l.type === 'NULL') return { kind: 'null' };
  if (l.type === 'APEX_BIND_VARIABLE') throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${l.raw}'`);
  switch (kind) {
    case 'text':
      if (l.type !== 'STRING') throw wrongType();
      return { kind: 'value', value: forLike ? unquote(l.raw, true) : unquote(l.raw).toUpperCase() };
    case 'id': {
      if (l.type !== 'STRING') throw wrongType();
      const text = unquote(l.raw);
      const id = toId18(text);
      if (!id) throw new SoqlError('INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${text}`);
      return { kind: 'value', value: id };
    }
    case 'number':
      if (l.type !== 'INTEGER' && l.type !== 'DECIMAL') throw wrongType();
      return { kind: 'value', value: Number(l.raw) };
    case 'boolean':
      if (l.type !== 'BOOLEAN') throw wrongType();
      return { kind: 'value', value: l.raw.toUpperCase() === 'TRUE' };
    case 'date':
    case 'datetime': {
      const format = kind === 'date' ? formatDate : formatDateTime;
      if (l.type === 'DATE_LITERAL' || l.type === 'DATE_N_LITERAL') {
        const range = dateLiteralRange(l.raw, ctx.now);
        if (!range) throw new SoqlError('MALFORMED_QUERY', `unexpected token: ${l.raw}`);
        return { kind: 'range', start: format(range.start), end: format(range.end) };
      }
      if ((kind === 'date' && l.type !== 'DATE') || (kind === 'datetime' && l.type !== 'DATETIME')) throw wrongType();
      const ms = parseDateTime(l.raw);
      if (ms === undefined)
        throw new SoqlError('MALFORMED_QUERY', `line 1:0 no viable alternative at character '${l.raw}'`);
      return { kind: 'value', value: format(ms) };
    }
  }
}

/** Stored value → comparable value (text compares case-insensitively, as the platform does). */
function comparable(kind: Kind, v: FieldValue): string | number | boolean | null {
  if (v === null) return null;
  return kind === 'text' && typeof v === 'string' ? v.toUpperCase() : v;
}

/**
 * `=`, `!=`, IN and NOT IN. A null field is unequal to every non-null value, so `!=` and
 * NOT IN return records where the field is blank (unlike SQL).
 */
function equality(get: (r: SObjectRecord) => FieldValue, kind: Kind, operands: Operand[], negate: boolean): Predicate {
  const values = new Set<string | number | boolean>();
  const ranges: { start: string; end: string }[] = [];
  let matchesNull = false;
  for (const o of operands) {
    if (o.kind === 'null') matchesNull = true;
    else if (o.kind === 'value') values.add(o.value);
    else ranges.push(o);
  }
  const hit = (r: SObjectRecord): boolean => {
    const v = comparable(kind, get(r));
    if (v === null) return matchesNull;
    if (values.has(v)) return true;
    for (const range of ranges) if (typeof v === 'string' && v >= range.start && v < range.end) return true;
    return false;
  };
  return negate ? (r) => !hit(r) : hit;
}

function ordering(
  get: (r: SObjectRecord) => FieldValue,
  kind: Kind,
  operator: '<' | '<=' | '>' | '>=',
  operand: Operand | undefined,
  path: FieldPath,
  ctx: WhereContext,
): Predicate {
  if (kind === 'boolean')
    throw locatedError('INVALID_FIELD', ctx.soql, path.display, `invalid operator on boolean field: ${operator}`);
  if (!operand || operand.kind === 'null') return () => false;
  if (operand.kind === 'range') {
    // A date literal is a range: `< TODAY` is before today starts, `> TODAY` after it ends.
    const { start, end } = operand;
    const test =
      operator === '<'
        ? (v: string) => v < start
        : operator === '<='
          ? (v: string) => v < end
          : operator === '>'
            ? (v: string) => v >= end
            : (v: string) => v >= start;
    return (r) => {
      const v = get(r);
      return typeof v === 'string' && test(v);
    };
  }
  const bound = operand.value;
  return (r) => {
    const v = comparable(kind, get(r));
    if (v === null) return false;
    switch (operator) {
      case '<':
        return v < bound;
      case '<=':
        return v <= bound;
      case '>':
        return v > bound;
      case '>=':
        return v >= bound;
    }
  };
}
