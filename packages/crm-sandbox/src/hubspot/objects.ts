/**
 * HubSpot's rules for CRM object reads and writes (validation, conflicts, not-found,
 * batch semantics) over the state. Routes parse HTTP; this decides what HubSpot would do.
 */
import { searchIndexView } from '../faults';
import { API_SOURCE } from './history';
import { conflict, type HubSpotApiError, objectIdNotNumeric, resourceNotFound, validationError } from './errors';
import {
  normalizeWrite,
  propertyValidationError,
  type PropertyIssue,
  type PropertyOption,
  type PropertyRegistry,
} from './properties';
import {
  checkSearchLimits,
  compileGroups,
  compileNumericGroups,
  idLowerBound,
  matchesQuery,
  sortRecords,
  sortsById,
  type SearchFilterGroup,
  type SearchSort,
} from './search';
import { SANDBOX_PORTAL_ID, type HubSpotState } from './state';
import type { CrmObjectType, CrmRecord, ObjectStore, ObjectTypeConfig } from './store';

/** Property values as clients send them; HubSpot stores the text of numbers and booleans. */
export type RawProperties = Readonly<Record<string, string | number | boolean | null>>;

export const MAX_BATCH_INPUTS = 100;
/** batch/read with propertiesWithHistory has a lower cap. */
export const MAX_HISTORY_BATCH_INPUTS = 50;

const NUMERIC_ID = /^\d+$/;

export interface BatchUpdateInput {
  id: string;
  idProperty?: string;
  objectWriteTraceId?: string;
  properties: RawProperties;
}

export interface SearchRequest {
  filterGroups: SearchFilterGroup[];
  sorts: SearchSort[];
  query?: string;
  limit: number;
  after: number;
}

/**
 * The grouped 207 error HubSpot reports for ids it could not find. `errors` and `links`
 * are empty but present because the client's StandardError model declares them required.
 */
export interface ObjectNotFoundError {
  status: 'error';
  category: 'OBJECT_NOT_FOUND';
  message: string;
  context: { ids: string[] };
  errors: [];
  links: Record<string, never>;
}

export function toText(raw: RawProperties): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(raw)) out[k] = v === null ? '' : String(v);
  return out;
}

export function batchTooLarge(count: number, max = MAX_BATCH_INPUTS): HubSpotApiError | undefined {
  if (count <= max) return undefined;
  return max === MAX_HISTORY_BATCH_INPUTS
    ? validationError(
        `The maximum number of inputs supported in a batch request for property histories is ${max}. Please reduce the number of items and try again`,
      )
    : validationError(
        `The maximum number of inputs supported in a batch is ${max}. Please reduce the number of items and try again`,
      );
}

export class CrmObjects {
  constructor(
    private readonly state: HubSpotState,
    readonly type: CrmObjectType,
  ) {}

  get store(): ObjectStore {
    return this.state.objects[this.type];
  }

  get config(): ObjectTypeConfig {
    return this.store.config;
  }

  get registry(): PropertyRegistry {
    return this.state.properties[this.type];
  }

  notFoundError(ids: readonly string[]): ObjectNotFoundError {
    return {
      status: 'error',
      category: 'OBJECT_NOT_FOUND',
      message: `Could not get some ${this.config.upper} objects, they may be deleted or not exist. Check that ids are valid.`,
      context: { ids: [...ids] },
      errors: [],
      links: {},
    };
  }

  /** Looks a record up by id or by a unique property; `undefined` when there is none. */
  find(id: string, idProperty?: string, archived = false): CrmRecord | undefined {
    if (idProperty && idProperty !== 'hs_object_id') {
      if (idProperty === this.config.uniqueProperty) {
        const r = this.store.findByUnique(id);
        return r && r.archived === archived ? r : undefined;
      }
      const def = this.registry.get(idProperty);
      if (!def?.hasUniqueValue) {
        throw validationError(`${idProperty} is not a unique property and cannot be used as idProperty`);
      }
      for (const r of this.store.active()) if (r.properties[idProperty] === id) return archived ? undefined : r;
      return undefined;
    }
    const r = this.store.get(id);
    // A merged-away id reads as the record it was merged into; it is in no recycle bin.
    if (r?.mergedInto !== undefined) return archived ? undefined : this.store.resolveMerged(id);
    return r && r.archived === archived ? r : undefined;
  }

  /** The single-record form: HubSpot's two 404 bodies for a numeric and a non-numeric id. */
  resolve(id: string, idProperty?: string, archived = false): CrmRecord {
    const usesObjectId = !idProperty || idProperty === 'hs_object_id';
    if (usesObjectId && !NUMERIC_ID.test(id)) throw objectIdNotNumeric(id);
    const r = this.find(id, idProperty, archived);
    if (!r) throw resourceNotFound();
    return r;
  }

  create(raw: RawProperties): CrmRecord {
    const values = this.validated([raw]);
    const v = values[0]!;
    this.assertNoConflict(v, undefined);
    return this.store.insert(v, this.state.now(), undefined, API_SOURCE);
  }

  update(id: string, idProperty: string | undefined, raw: RawProperties): CrmRecord {
    const record = this.resolve(id, idProperty);
    const v = this.validated([raw])[0]!;
    this.assertNoConflict(v, record.id);
    this.store.update(record, v, this.state.now(), API_SOURCE);
    return record;
  }

  /** HubSpot answers 204 whether or not the id exists. */
  archive(id: string, idProperty?: string): void {
    const r = this.find(id, idProperty);
    if (r) this.store.archive(r.id, this.state.now());
  }

  /**
   * Merges two records (POST /crm/v3/objects/{type}/merge); the primary keeps its id.
   * Associations of the merged record move to the primary.
   */
  merge(primaryObjectId: string, objectIdToMerge: string): CrmRecord {
    for (const id of [primaryObjectId, objectIdToMerge]) if (!NUMERIC_ID.test(id)) throw objectIdNotNumeric(id);
    const primary = this.find(primaryObjectId);
    const secondary = this.find(objectIdToMerge);
    if (!primary || !secondary) throw resourceNotFound();
    if (primary.id === secondary.id)
      throw validationError(`Cannot merge ${this.config.singular.toLowerCase()} ${primary.id} into itself`);
    for (const other of Object.keys(this.state.objects) as CrmObjectType[]) {
      for (const [toId, typeIds] of this.state.associations.list(this.type, secondary.id, other)) {
        if (!(other === this.type && toId === primary.id))
          this.state.associations.associate(this.type, primary.id, other, toId, typeIds);
      }
    }
    this.state.associations.removeRecord(this.type, secondary.id);
    this.store.merge(primary.id, secondary.id, this.state.now(), API_SOURCE);
    return primary;
  }

  /** Cursor paging over all records by id; the cursor is the next id. */
  list(limit: number, after: number, archived: boolean): { records: CrmRecord[]; nextAfter?: string } {
    const records: CrmRecord[] = [];
    for (const r of this.store.from(after)) {
      if (r.archived !== archived || r.mergedInto !== undefined) continue;
      if (records.length === limit) return { records, nextAfter: r.id };
      records.push(r);
    }
    return { records };
  }

  batchRead(
    ids: readonly string[],
    idProperty: string | undefined,
    archived: boolean,
  ): { records: CrmRecord[]; missing: string[] } {
    const records: CrmRecord[] = [];
    const missing: string[] = [];
    const seen = new Set<string>();
    for (const id of ids) {
      const usesObjectId = !idProperty || idProperty === 'hs_object_id';
      const r = usesObjectId && !NUMERIC_ID.test(id) ? undefined : this.find(id, idProperty, archived);
      if (!r) missing.push(id);
      else if (!seen.has(r.id)) {
        seen.add(r.id);
        records.push(r);
      }
    }
    return { records, missing };
  }

  /**
   * All or nothing, as HubSpot does it: one invalid value fails the batch with 400, one
   * existing email fails it with 409, and nothing is created.
   */
  batchCreate(inputs: readonly RawProperties[]): CrmRecord[] {
    const values = this.validated(inputs);
    const unique = this.config.uniqueProperty;
    if (unique) {
      const inBatch = new Set<string>();
      const repeated = new Set<string>();
      for (const v of values) {
        this.assertNoConflict(v, undefined);
        const key = v[unique]?.trim().toLowerCase();
        if (!key) continue;
        if (inBatch.has(key)) repeated.add(key);
        inBatch.add(key);
      }
      // Sandbox text: HubSpot's answer to one email twice in a batch create is not on record.
      if (repeated.size > 0) {
        throw validationError(
          `Duplicate ${unique} values found in batch input: [${[...repeated].join(', ')}]. Values of ${unique} must be unique`,
          { context: { [unique]: [...repeated] } },
        );
      }
    }
    const now = this.state.now();
    return values.map((v) => this.store.insert(v, now, now, API_SOURCE));
  }

  /** Unknown ids become one grouped 207 error; the records that exist are still updated. */
  batchUpdate(inputs: readonly BatchUpdateInput[]): {
    records: CrmRecord[];
    /** The input each record was written from, position for position with `records`. */
    inputs: BatchUpdateInput[];
    missing: string[];
  } {
    const found: { record: CrmRecord; raw: RawProperties; input: BatchUpdateInput }[] = [];
    const missing: string[] = [];
    for (const input of inputs) {
      const usesObjectId = !input.idProperty || input.idProperty === 'hs_object_id';
      const r = usesObjectId && !NUMERIC_ID.test(input.id) ? undefined : this.find(input.id, input.idProperty);
      if (r) found.push({ record: r, raw: input.properties, input });
      else missing.push(input.id);
    }
    this.assertUniqueIds(found.map((f) => f.record.id));
    const values = this.validated(found.map((f) => f.raw));
    found.forEach((f, i) => this.assertNoConflict(values[i]!, f.record.id));
    const now = this.state.now();
    found.forEach((f, i) => this.store.update(f.record, values[i]!, now, API_SOURCE));
    return { records: found.map((f) => f.record), inputs: found.map((f) => f.input), missing };
  }

  /**
   * Creates what does not exist and updates what does, by a unique property (`email` for
   * contacts); results say which with `new`.
   */
  batchUpsert(inputs: readonly BatchUpdateInput[]): {
    results: { record: CrmRecord; isNew: boolean; input: BatchUpdateInput }[];
    missing: string[];
  } {
    const plans: {
      existing?: CrmRecord;
      values: Record<string, string>;
      raw: RawProperties;
      input: BatchUpdateInput;
    }[] = [];
    const missing: string[] = [];
    const keys: string[] = [];
    for (const input of inputs) {
      const byUnique = input.idProperty !== undefined && input.idProperty !== 'hs_object_id';
      const existing = this.find(input.id, input.idProperty);
      // Emails match case-insensitively, so two spellings of one address are duplicates.
      keys.push(byUnique ? input.id.trim().toLowerCase() : input.id);
      if (!byUnique && !existing) {
        // By record id there is nothing to create from.
        missing.push(input.id);
        continue;
      }
      const raw: RawProperties =
        existing || !input.idProperty ? input.properties : { ...input.properties, [input.idProperty]: input.id };
      plans.push({ existing, values: {}, raw, input });
    }
    this.assertUniqueIds(keys);
    const values = this.validated(plans.map((p) => p.raw));
    plans.forEach((p, i) => {
      p.values = values[i]!;
      this.assertNoConflict(p.values, p.existing?.id);
    });
    const now = this.state.now();
    const results = plans.map((p) => {
      if (p.existing) {
        this.store.update(p.existing, p.values, now, API_SOURCE);
        return { record: p.existing, isNew: false, input: p.input };
      }
      return { record: this.store.insert(p.values, now, now, API_SOURCE), isNew: true, input: p.input };
    });
    return { results, missing };
  }

  batchArchive(ids: readonly string[]): void {
    const now = this.state.now();
    for (const id of ids) if (NUMERIC_ID.test(id)) this.store.archive(id, now);
  }

  search(req: SearchRequest): { total: number; records: CrmRecord[]; nextAfter?: string } {
    const problem = checkSearchLimits(req.filterGroups, req.limit, req.after);
    if (problem) throw validationError(problem);
    const typeOf = (name: string): ReturnType<PropertyRegistry['typeOf']> => this.registry.typeOf(name);
    const filter = compileGroups(req.filterGroups, typeOf);
    const queryProperties = this.config.queryProperties;
    let record: CrmRecord | undefined;
    const valueOf = (name: string): string | undefined => record?.properties[name];
    // Records are scanned in id order: asked for that order, a page is kept while the rest
    // is only counted, and nothing is sorted.
    const byId = sortsById(req.sorts);
    const end = req.after + req.limit;
    const matches: CrmRecord[] = [];
    let total = 0;
    const consider = (r: CrmRecord, numeric: boolean | undefined): void => {
      record = r;
      if (!(numeric ?? filter(valueOf)) || !matchesQuery(req.query, valueOf, queryProperties)) return;
      if (!byId || (total >= req.after && total < end)) matches.push(r);
      total++;
    };
    // With a search-index lag set (src/faults), search reads the lagging copy.
    const lagging = searchIndexView(this.state, this.type);
    // Paging by id (hs_object_id GT the last one read) starts at that id.
    const fromId = idLowerBound(req.filterGroups, typeOf) ?? 0;
    const numeric = lagging ? undefined : compileNumericGroups(req.filterGroups, typeOf);
    if (lagging) {
      for (const r of lagging) consider(r, undefined);
    } else if (numeric) {
      const columns = numeric.properties.map((p) => this.store.numericColumn(p));
      this.store.forEachActiveFrom(fromId, (r, position) => consider(r, numeric.test(columns, position)));
    } else {
      this.store.forEachActiveFrom(fromId, (r) => consider(r, undefined));
    }
    const records = byId
      ? matches
      : sortRecords(matches, req.sorts, (r, p) => r.properties[p], typeOf).slice(req.after, end);
    // The next page is offered even when it lies past the 10,000 cap: HubSpot does the
    // same, and the request for it is what fails.
    return end < total ? { total, records, nextAfter: String(end) } : { total, records };
  }

  /** Normalizes every input; any invalid value fails the whole request. */
  private validated(inputs: readonly RawProperties[]): Record<string, string>[] {
    const issues: PropertyIssue[] = [];
    const ownerOptions = (): PropertyOption[] => this.ownerOptions();
    const values = inputs.map((raw) => {
      const r = normalizeWrite(this.registry, toText(raw), { ownerOptions });
      issues.push(...r.issues);
      return r.values;
    });
    if (issues.length > 0) throw propertyValidationError(issues, SANDBOX_PORTAL_ID);
    return values;
  }

  private ownerOptions(): PropertyOption[] {
    return this.state.owners.active().map((o, i) => ({
      label: `${o.firstName} ${o.lastName} (${o.email})`,
      value: o.id,
      displayOrder: i,
      hidden: false,
    }));
  }

  /** Another record already holding the unique value: HubSpot's 409. */
  private assertNoConflict(values: Readonly<Record<string, string>>, selfId: string | undefined): void {
    const unique = this.config.uniqueProperty;
    const wanted = unique ? values[unique] : undefined;
    if (!wanted) return;
    const other = this.store.findByUnique(wanted);
    if (other && other.id !== selfId)
      throw conflict(`${this.config.singular} already exists. Existing ID: ${other.id}`);
  }

  private assertUniqueIds(ids: readonly string[]): void {
    const seen = new Set<string>();
    const dup = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) dup.add(id);
      seen.add(id);
    }
    if (dup.size > 0) {
      throw validationError(`Duplicate IDs found in batch input: [${[...dup].join(', ')}]. IDs must be unique`, {
        context: { ids: [...dup] },
      });
    }
  }
}
