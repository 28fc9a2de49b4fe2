/**
 * SOQL evaluation over the syntax tree of `@jetstreamapp/soql-parser-js`: SELECT lists with
 * parent relationship fields and COUNT(), WHERE, ORDER BY, LIMIT and OFFSET.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select.htm
 */
import {
  type FieldType as ParsedField,
  type OrderByClause,
  parseQuery,
  type Query as ParsedQuery,
} from '@jetstreamapp/soql-parser-js';
import {
  type FieldSchema,
  type FieldValue,
  ID_TYPES,
  type ObjectSchema,
  type SObjectRecord,
  TEXT_TYPES,
} from '../schema';
import { type FieldPath, followLookup, type Getter, makeGetter, NAME_OBJECT, readField, resolvePath } from './paths';
import { locatedError, type QueryRecord, type SoqlDataSource, SoqlError, type SoqlOptions } from './types';
import { compileWhere, type Predicate } from './where';

/** The rows a query selected, rendered page by page (the API pages by 2,000 by default). */
export interface QueryResultSet {
  readonly objectName: string;
  /** What the API reports as totalSize: rows selected, or the count for COUNT(). */
  readonly totalSize: number;
  /** Records the query returns (0 for COUNT()). */
  readonly length: number;
  page(from: number, to: number, apiVersion: string): QueryRecord[];
}

const MAX_OFFSET = 2000;

/** Parses SOQL, reporting syntax errors as the API does (MALFORMED_QUERY). */
export function parseSoql(soql: string): ParsedQuery {
  try {
    return parseQuery(soql);
  } catch (err) {
    throw malformed(soql, err instanceof Error ? err.message : String(err));
  }
}

function malformed(soql: string, parserMessage: string): SoqlError {
  const lexing = /unexpected character: ->(.)<- at offset: (\d+)/.exec(parserMessage);
  if (lexing) {
    const offset = Number(lexing[2]);
    const before = soql.slice(0, offset);
    const column = offset - (before.lastIndexOf('\n') + 1) + 1;
    return new SoqlError(
      'MALFORMED_QUERY',
      `line ${before.split('\n').length}:${column - 1} no viable alternative at character '${lexing[1] ?? ''}'`,
    );
  }
  const found = /but found:?\s*(?:-->\s*)?(?:'([^']*)'|(\S+))/.exec(parserMessage);
  const token = found?.[1] ?? found?.[2];
  if (token === undefined || token === '') return new SoqlError('MALFORMED_QUERY', 'unexpected token: <EOF>');
  return locatedError('MALFORMED_QUERY', soql, token, `unexpected token: ${token}`);
}

type SelectNode = { kind: 'field'; field: FieldSchema } | RelationshipNode;
interface RelationshipNode {
  kind: 'relationship';
  lookup: FieldSchema;
  target: ObjectSchema;
  children: Map<string, SelectNode>;
}

interface AggregateItem {
  fn: string;
  /** The column name: the alias given, else expr0, expr1, … over the unaliased ones. */
  alias: string;
  aliased: boolean;
  get: Getter;
}

interface Plan {
  schema: ObjectSchema;
  select: Map<string, SelectNode>;
  countOnly: boolean;
  aggregates: AggregateItem[];
  /** Field paths in select order (semi-joins read the first). */
  paths: FieldPath[];
  where?: Predicate;
  order: { get: Getter; text: boolean; desc: boolean; nullsFirst: boolean }[];
  limit?: number;
  offset: number;
}

/** Runs a SOQL query against a data source. Throws SoqlError with the API's error code. */
export function runSoql(ds: SoqlDataSource, soql: string, options: SoqlOptions = {}): QueryResultSet {
  const parsed = parseSoql(soql);
  const plan = compile(ds, parsed, soql, options);
  return execute(ds, plan, options);
}

/** Runs a query and renders every row: a convenience for tests and small results. */
export function querySoql(
  ds: SoqlDataSource,
  soql: string,
  options: SoqlOptions & { apiVersion?: string } = {},
): { totalSize: number; records: QueryRecord[] } {
  const result = runSoql(ds, soql, options);
  return { totalSize: result.totalSize, records: result.page(0, result.length, options.apiVersion ?? '62.0') };
}

function unsupported(what: string): SoqlError {
  return new SoqlError('MALFORMED_QUERY', `The Salesforce sandbox does not support ${what} yet.`);
}

function compile(ds: SoqlDataSource, q: ParsedQuery, soql: string, options: SoqlOptions): Plan {
  const objectName = q.sObject ?? '';
  const schema = ds.schemas.get(objectName);
  if (!schema) {
    throw locatedError(
      'INVALID_TYPE',
      soql,
      objectName,
      `sObject type '${objectName}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  if (q.groupBy) throw unsupported('GROUP BY');
  if (q.having) throw unsupported('HAVING');
  if (q.withDataCategory) throw unsupported('WITH DATA CATEGORY');
  const alias = q.sObjectAlias;

  const plan: Plan = {
    schema,
    select: new Map(),
    countOnly: false,
    aggregates: [],
    paths: [],
    order: [],
    offset: q.offset ?? 0,
  };
  let plainFields = 0;
  const seen = new Set<string>();
  const addPath = (raw: string) => {
    const path = resolvePath(ds, schema, raw, soql, alias);
    const key = path.display.toLowerCase();
    if (seen.has(key)) throw locatedError('MALFORMED_QUERY', soql, raw, `duplicate field selected: ${path.display}`);
    seen.add(key);
    plan.paths.push(path);
    addToSelect(plan.select, path);
    plainFields++;
  };

  for (const item of q.fields ?? []) {
    compileSelectItem(item, {
      ds,
      schema,
      soql,
      plan,
      addPath,
      ...(alias ? { alias } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    });
  }
  if (plan.countOnly && (plainFields > 0 || plan.aggregates.length > 0 || (q.fields?.length ?? 0) > 1)) {
    throw new SoqlError('MALFORMED_QUERY', 'COUNT() cannot be selected together with other fields');
  }
  if (plan.aggregates.length > 0 && plainFields > 0) {
    const first = plan.paths[0];
    throw locatedError(
      'MALFORMED_QUERY',
      soql,
      first?.display,
      `Field must be grouped or aggregated: ${first?.display ?? ''}`,
    );
  }

  if (q.where) {
    const now = options.now ?? Date.now();
    plan.where = compileWhere(q.where, {
      ds,
      root: schema,
      soql,
      ...(alias ? { alias } : {}),
      now,
      runSubquery: (inner) => runSemiJoin(ds, inner, soql, now),
    });
  }

  const orderBy: OrderByClause[] = q.orderBy === undefined ? [] : Array.isArray(q.orderBy) ? q.orderBy : [q.orderBy];
  for (const o of orderBy) {
    if (!('field' in o) || typeof o.field !== 'string') throw unsupported('functions in ORDER BY');
    const path = resolvePath(ds, schema, o.field, soql, alias);
    if (!path.field.sortable)
      throw locatedError(
        'INVALID_FIELD',
        soql,
        o.field,
        `field '${path.field.name}' can not be sorted in a query call`,
      );
    plan.order.push({
      get: makeGetter(ds, path),
      text: TEXT_TYPES.has(path.field.type),
      desc: o.order === 'DESC',
      // "By default, null values are sorted first" — whatever the direction.
      nullsFirst: o.nulls !== 'LAST',
    });
  }

  if (plan.offset > MAX_OFFSET)
    throw new SoqlError('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
  if (q.limit !== undefined) plan.limit = q.limit;
  return plan;
}

interface SelectContext {
  ds: SoqlDataSource;
  schema: ObjectSchema;
  soql: string;
  plan: Plan;
  alias?: string;
  limit?: number;
  addPath: (raw: string) => void;
}

function compileSelectItem(item: ParsedField, ctx: SelectContext): void {
  switch (item.type) {
    case 'Field':
      ctx.addPath(item.field);
      return;
    case 'FieldRelationship':
      ctx.addPath([...item.relationships, item.field].join('.'));
      return;
    case 'FieldFunctionExpression': {
      const fn = item.functionName.toUpperCase();
      const params = item.parameters.filter((p): p is string => typeof p === 'string');
      if (fn === 'FIELDS') {
        const which = (params[0] ?? '').toUpperCase();
        if ((which === 'ALL' || which === 'CUSTOM') && (ctx.limit === undefined || ctx.limit > 200)) {
          throw new SoqlError('MALFORMED_QUERY', 'The SOQL FIELDS function must have a LIMIT of at most 200');
        }
        for (const f of ctx.schema.fields) {
          if (which === 'STANDARD' && f.custom) continue;
          if (which === 'CUSTOM' && !f.custom) continue;
          ctx.addPath(f.name);
        }
        return;
      }
      if (fn === 'COUNT' && item.parameters.length === 0) {
        ctx.plan.countOnly = true;
        return;
      }
      if (!item.isAggregateFn || params.length !== 1) throw unsupported(`${item.functionName}()`);
      const path = resolvePath(ctx.ds, ctx.schema, params[0] ?? '', ctx.soql, ctx.alias);
      const index = ctx.plan.aggregates.filter((a) => !a.aliased).length;
      ctx.plan.aggregates.push({
        fn,
        alias: item.alias ?? `expr${index}`,
        aliased: item.alias !== undefined,
        get: makeGetter(ctx.ds, path),
      });
      return;
    }
    case 'FieldSubquery':
      throw unsupported('child relationship subqueries');
    case 'FieldTypeof':
      throw unsupported('TYPEOF');
  }
}

function addToSelect(select: Map<string, SelectNode>, path: FieldPath): void {
  let children = select;
  for (const hop of path.hops) {
    const existing = children.get(hop.relationshipName);
    if (existing && existing.kind === 'relationship') {
      children = existing.children;
      continue;
    }
    const node: RelationshipNode = {
      kind: 'relationship',
      lookup: hop.lookup,
      target: hop.target,
      children: new Map(),
    };
    children.set(hop.relationshipName, node);
    children = node.children;
  }
  children.set(path.field.name, { kind: 'field', field: path.field });
}

/** `Id IN (SELECT LeadId FROM CampaignMember …)`: the values of the inner query's one id field. */
function runSemiJoin(ds: SoqlDataSource, inner: ParsedQuery, soql: string, now: number): Set<string> {
  const plan = compile(ds, inner, soql, { now });
  const path = plan.paths[0];
  if (
    plan.paths.length !== 1 ||
    !path ||
    !ID_TYPES.has(path.field.type) ||
    plan.countOnly ||
    plan.aggregates.length > 0
  ) {
    throw new SoqlError(
      'MALFORMED_QUERY',
      'The selected field in the subquery and the left operand field in the where expression in the outer query must point to the same object type.',
    );
  }
  const get = makeGetter(ds, path);
  const out = new Set<string>();
  for (const r of select(ds, plan, false)) {
    const v = get(r);
    if (typeof v === 'string') out.add(v);
  }
  return out;
}

function select(ds: SoqlDataSource, plan: Plan, includeDeleted: boolean): SObjectRecord[] {
  const rows: SObjectRecord[] = [];
  const where = plan.where;
  for (const r of ds.scan(plan.schema.name, includeDeleted)) {
    if (!where || where(r)) rows.push(r);
  }
  if (plan.order.length > 0) return sortRows(rows, plan.order);
  return rows;
}

type SortKey = string | number | boolean | null;

function sortRows(rows: SObjectRecord[], order: Plan['order']): SObjectRecord[] {
  // Keys are computed once per row: relationship keys would otherwise be looked up per comparison.
  const decorated = rows.map((row) => ({
    row,
    keys: order.map((o): SortKey => {
      const v: FieldValue = o.get(row);
      return o.text && typeof v === 'string' ? v.toUpperCase() : v;
    }),
  }));
  decorated.sort((a, b) => {
    for (let i = 0; i < order.length; i++) {
      const o = order[i];
      const x = a.keys[i] ?? null;
      const y = b.keys[i] ?? null;
      if (!o || x === y) continue;
      if (x === null) return o.nullsFirst ? -1 : 1;
      if (y === null) return o.nullsFirst ? 1 : -1;
      const c = x < y ? -1 : x > y ? 1 : 0;
      if (c !== 0) return o.desc ? -c : c;
    }
    return 0;
  });
  return decorated.map((d) => d.row);
}

function execute(ds: SoqlDataSource, plan: Plan, options: SoqlOptions): QueryResultSet {
  const all = select(ds, plan, options.includeDeleted ?? false);
  const end = plan.limit === undefined ? all.length : Math.min(all.length, plan.offset + plan.limit);
  const rows = plan.offset > 0 || end < all.length ? all.slice(plan.offset, end) : all;
  const objectName = plan.schema.name;

  if (plan.countOnly) {
    return { objectName, totalSize: rows.length, length: 0, page: () => [] };
  }
  if (plan.aggregates.length > 0) {
    const record: QueryRecord = { attributes: { type: 'AggregateResult' } };
    for (const a of plan.aggregates) record[a.alias] = aggregate(a, rows);
    return { objectName, totalSize: 1, length: 1, page: (from, to) => (from < 1 && to > 0 ? [record] : []) };
  }
  return {
    objectName,
    totalSize: rows.length,
    length: rows.length,
    page: (from, to, apiVersion) =>
      rows.slice(from, to).map((r) => renderRecord(ds, plan.schema, r, plan.select, false, apiVersion)),
  };
}

function aggregate(a: AggregateItem, rows: readonly SObjectRecord[]): FieldValue {
  const values: Exclude<FieldValue, null>[] = [];
  for (const r of rows) {
    const v = a.get(r);
    if (v !== null) values.push(v);
  }
  switch (a.fn) {
    case 'COUNT':
      return values.length;
    case 'COUNT_DISTINCT':
      return new Set(values.map((v) => (typeof v === 'string' ? v.toUpperCase() : v))).size;
    case 'MIN':
    case 'MAX': {
      let best: FieldValue = null;
      for (const v of values) if (best === null || (a.fn === 'MIN' ? v < best : v > best)) best = v;
      return best;
    }
    case 'SUM':
    case 'AVG': {
      const nums = values.filter((v): v is number => typeof v === 'number');
      if (nums.length === 0) return null;
      const sum = nums.reduce((s, n) => s + n, 0);
      return a.fn === 'SUM' ? sum : sum / nums.length;
    }
    default:
      throw unsupported(`${a.fn}()`);
  }
}

/** A record as the API prints it: attributes first, then the selected fields in order. */
function renderRecord(
  ds: SoqlDataSource,
  schema: ObjectSchema,
  record: SObjectRecord,
  select: Map<string, SelectNode>,
  viaName: boolean,
  apiVersion: string,
): QueryRecord {
  // Through a polymorphic lookup the API types the nested record "Name" but links the real object.
  const out: QueryRecord = {
    attributes: {
      type: viaName ? 'Name' : schema.name,
      url: `/services/data/v${apiVersion}/sobjects/${schema.name}/${String(record.Id)}`,
    },
  };
  for (const [key, node] of select) {
    if (node.kind === 'field') {
      out[key] = readField(schema, record, node.field, viaName);
      continue;
    }
    const parent = followLookup(ds, record, node.lookup);
    out[key] = parent
      ? renderRecord(ds, parent.schema, parent.record, node.children, node.target === NAME_OBJECT, apiVersion)
      : null;
  }
  return out;
}
