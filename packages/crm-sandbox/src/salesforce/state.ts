/**
 * The org behind the sandbox: records of every object, id sequences, API usage, and the
 * save rules the platform applies (field access, required fields, lengths, lookups).
 * Routes translate HTTP into calls on this class and never touch records themselves.
 *
 * Records are immutable and replaced on every write, so a query cursor that holds
 * references keeps the snapshot it was opened on, and undoing a transaction is cheap.
 */
import { ApiError, notFound, type SaveError, saveError } from './errors';
import { KEY_PREFIXES, keyPrefixOf, makeId, toId18 } from './ids';
import { DERIVED_FIELDS, standardSchemas } from './objects';
import {
  addField,
  field,
  type FieldDefinition,
  type FieldOptions,
  type FieldSchema,
  type FieldType,
  type FieldValue,
  getField,
  type ObjectSchema,
  type SchemaRegistry,
  type SObjectRecord,
  TEXT_TYPES,
} from './schema';
import { coerceInput, formatDateTime } from './values';

export interface WriteContext {
  /** The user the session belongs to: CreatedById, LastModifiedById and default owner. */
  userId: string;
  now: number;
  /**
   * Effective `Sforce-Auto-Assign` of the request (true when the header is absent: the
   * platform runs assignment rules on Lead create and update unless told FALSE).
   */
  autoAssign?: boolean;
}

export type SaveResult =
  | { id: string; success: true; errors: []; created?: boolean }
  | { id?: string; success: false; errors: SaveError[]; created?: boolean };

/** A record as sent by a client, after field names and JSON types were checked. */
export interface DeserializedRecord {
  schema: ObjectSchema;
  /** Canonical field → value, in the order sent. */
  values: Map<FieldSchema, FieldValue>;
  /** The Id given in the body (update and upsert by Id), as sent. */
  id?: string;
}

export interface AutoAssignLog {
  onCreate?: boolean;
  onLastUpdate?: boolean;
}

interface UndoEntry {
  schema: ObjectSchema;
  id: string;
  previous: SObjectRecord | undefined;
}

/** Fields indexed for equality lookups: external ids (upsert) and unique fields. */
function isIndexed(f: FieldSchema): boolean {
  return f.externalId || f.unique;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FIRST_SEQUENCE = 1_000_000_000;
export const DAILY_API_LIMIT = 15_000;

export class SalesforceState {
  readonly schemas: SchemaRegistry;
  readonly orgId: string;
  apiUserId: string;
  apiUsage = 0;
  readonly dailyApiLimit = DAILY_API_LIMIT;
  /** Per Lead id: whether assignment rules were requested on create and on the last update. */
  readonly autoAssign = new Map<string, AutoAssignLog>();
  /** Fields added with defineField, in order, for the state file. */
  readonly customFields: FieldDefinition[] = [];

  private readonly tables = new Map<string, Map<string, SObjectRecord>>();
  private readonly indexes = new Map<FieldSchema, Map<string, Set<string>>>();
  private readonly indexedFieldsCache = new Map<ObjectSchema, FieldSchema[]>();
  private readonly sequences = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private undoLog: UndoEntry[] | undefined;

  constructor(schemas: SchemaRegistry = standardSchemas()) {
    this.schemas = schemas;
    for (const s of schemas.all()) this.tables.set(s.name, new Map());
    this.orgId = makeId(KEY_PREFIXES.Organization, 1);
    this.apiUserId = '';
  }

  // ---- change notification ------------------------------------------------------------

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    if (this.undoLog) return;
    for (const l of this.listeners) l();
  }

  // ---- schema -------------------------------------------------------------------------

  objectSchema(name: string): ObjectSchema | undefined {
    return this.schemas.get(name);
  }

  /** Adds a field (e.g. a custom external id `Baton_Id__c`) to an object; it is persisted. */
  defineField(objectName: string, name: string, type: FieldType, options: FieldOptions = {}): FieldSchema {
    const schema = this.requireSchema(objectName);
    const f = field(name, type, options);
    addField(schema, f);
    this.indexedFieldsCache.delete(schema);
    this.customFields.push({ object: schema.name, name, type, options });
    if (isIndexed(f)) this.rebuildIndex(schema, f);
    this.changed();
    return f;
  }

  private requireSchema(name: string): ObjectSchema {
    const schema = this.schemas.get(name);
    if (!schema) throw new Error(`Unknown sObject ${name}`);
    return schema;
  }

  // ---- reads --------------------------------------------------------------------------

  private table(schema: ObjectSchema): Map<string, SObjectRecord> {
    let t = this.tables.get(schema.name);
    if (!t) {
      t = new Map();
      this.tables.set(schema.name, t);
    }
    return t;
  }

  /** Records of an object in creation order; deleted ones only when asked (queryAll). */
  *scan(objectName: string, includeDeleted = false): Iterable<SObjectRecord> {
    const schema = this.schemas.get(objectName);
    if (!schema) return;
    for (const r of this.table(schema).values()) {
      if (includeDeleted || r.IsDeleted !== true) yield r;
    }
  }

  /** Any record by id (15 or 18 characters), deleted or not. */
  findById(id: string): { schema: ObjectSchema; record: SObjectRecord } | undefined {
    const id18 = toId18(id);
    if (!id18) return undefined;
    const schema = this.schemas.byKeyPrefix(keyPrefixOf(id18));
    if (!schema) return undefined;
    const record = this.table(schema).get(id18);
    return record ? { schema, record } : undefined;
  }

  /** A live (not deleted) record of one object by id. */
  get(objectName: string, id: string): SObjectRecord | undefined {
    const found = this.findById(id);
    if (!found || found.schema.name.toLowerCase() !== objectName.toLowerCase()) return undefined;
    return found.record.IsDeleted === true ? undefined : found.record;
  }

  /** Live records whose indexed field equals a value (case-insensitive, like the platform). */
  findByIndexedField(objectName: string, fieldName: string, value: string): SObjectRecord[] {
    const schema = this.requireSchema(objectName);
    const f = getField(schema, fieldName);
    if (!f) return [];
    const index = this.indexes.get(f);
    const table = this.table(schema);
    const out: SObjectRecord[] = [];
    if (index) {
      for (const id of index.get(value.toLowerCase()) ?? []) {
        const r = table.get(id);
        if (r && r.IsDeleted !== true) out.push(r);
      }
      return out;
    }
    for (const r of table.values()) {
      const v = r[f.name];
      if (r.IsDeleted !== true && typeof v === 'string' && v.toLowerCase() === value.toLowerCase()) out.push(r);
    }
    return out;
  }

  // ---- low-level storage ----------------------------------------------------------------

  private put(schema: ObjectSchema, id: string, next: SObjectRecord | undefined): void {
    const table = this.table(schema);
    const previous = table.get(id);
    if (this.undoLog) this.undoLog.push({ schema, id, previous });
    this.reindex(schema, id, previous, next);
    if (next) table.set(id, next);
    else table.delete(id);
  }

  private reindex(
    schema: ObjectSchema,
    id: string,
    previous: SObjectRecord | undefined,
    next: SObjectRecord | undefined,
  ): void {
    for (const f of this.indexedFields(schema)) {
      const before = previous?.[f.name];
      const after = next?.[f.name];
      if (before === after) continue;
      const index = this.indexFor(f);
      if (typeof before === 'string') index.get(before.toLowerCase())?.delete(id);
      if (typeof after === 'string') {
        const key = after.toLowerCase();
        let ids = index.get(key);
        if (!ids) index.set(key, (ids = new Set()));
        ids.add(id);
      }
    }
  }

  /** Indexed fields per object, cached: reindex runs on every write. */
  private indexedFields(schema: ObjectSchema): FieldSchema[] {
    let fields = this.indexedFieldsCache.get(schema);
    if (!fields) this.indexedFieldsCache.set(schema, (fields = schema.fields.filter(isIndexed)));
    return fields;
  }

  private indexFor(f: FieldSchema): Map<string, Set<string>> {
    let index = this.indexes.get(f);
    if (!index) this.indexes.set(f, (index = new Map()));
    return index;
  }

  private rebuildIndex(schema: ObjectSchema, f: FieldSchema): void {
    this.indexes.set(f, new Map());
    for (const [id, r] of this.table(schema)) this.reindex(schema, id, undefined, r);
  }

  nextId(schema: ObjectSchema): string {
    const n = (this.sequences.get(schema.keyPrefix) ?? FIRST_SEQUENCE) + 1;
    this.sequences.set(schema.keyPrefix, n);
    return makeId(schema.keyPrefix, n);
  }

  /**
   * Runs `fn` so that `rollback()` inside it undoes every write it made. Used for
   * `allOrNone: true`, where one failed record rolls back the ones saved before it.
   */
  transaction<T>(fn: (rollback: () => void) => T): T {
    if (this.undoLog) throw new Error('Transactions do not nest');
    const log: UndoEntry[] = [];
    this.undoLog = log;
    const rollback = () => {
      this.undoLog = undefined;
      for (let e = log.pop(); e; e = log.pop()) this.put(e.schema, e.id, e.previous);
      this.undoLog = log;
    };
    try {
      return fn(rollback);
    } finally {
      this.undoLog = undefined;
      this.changed();
    }
  }

  // ---- request boundary: field names and JSON types -------------------------------------

  /**
   * Resolves the field names of a record body and converts its JSON values. Unknown
   * fields and values of the wrong JSON type fail the whole request (400), as the
   * platform fails while reading the body, before saving anything.
   */
  deserialize(objectName: string, body: Readonly<Record<string, unknown>>): DeserializedRecord {
    const schema = this.schemas.get(objectName);
    if (!schema) throw notFound();
    const values = new Map<FieldSchema, FieldValue>();
    let id: string | undefined;
    for (const [key, raw] of Object.entries(body)) {
      if (key === 'attributes') continue;
      const f = getField(schema, key);
      if (!f) throw ApiError.of(400, 'INVALID_FIELD', `No such column '${key}' on sobject of type ${schema.name}`);
      if (f.type === 'id') {
        if (raw !== null && raw !== undefined) id = String(raw);
        continue;
      }
      values.set(f, coerceInput(f, raw));
    }
    return id === undefined ? { schema, values } : { schema, values, id };
  }

  // ---- saves ------------------------------------------------------------------------------

  create(input: DeserializedRecord, ctx: WriteContext): SaveResult {
    const { schema } = input;
    if (input.id !== undefined)
      return fail([saveError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id'])]);
    if (!schema.createable)
      return fail([saveError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be inserted: ${schema.name}`)]);
    const readOnly = [...input.values.keys()].filter((f) => !f.createable);
    if (readOnly.length > 0) return fail([readOnlyError(readOnly)]);

    const now = formatDateTime(ctx.now);
    const draft: Record<string, FieldValue> = {};
    for (const f of schema.fields) if (f.defaultValue !== null) draft[f.name] = f.defaultValue;
    if (getField(schema, 'OwnerId')) draft.OwnerId = ctx.userId;
    for (const [f, v] of input.values) draft[f.name] = v;
    const errors = this.validate(schema, draft, [...input.values.keys()], undefined);
    if (errors.length > 0) return fail(errors);

    const id = this.nextId(schema);
    Object.assign(draft, {
      Id: id,
      CreatedDate: now,
      CreatedById: ctx.userId,
      LastModifiedDate: now,
      LastModifiedById: ctx.userId,
      SystemModstamp: now,
    });
    if (getField(schema, 'IsDeleted')) draft.IsDeleted = false;
    this.put(schema, id, finish(schema, draft));
    if (schema.name === 'Lead') this.autoAssign.set(id, { onCreate: ctx.autoAssign ?? true });
    this.changed();
    return { id, success: true, errors: [] };
  }

  update(input: DeserializedRecord, id: string, ctx: WriteContext): SaveResult {
    const { schema } = input;
    const id18 = toId18(id);
    const found = id18 ? this.findById(id18) : undefined;
    if (!id18 || !found || found.schema !== schema) {
      const label = `${schema.label} ID`;
      if (!id18) return fail([saveError('MALFORMED_ID', `${label}: id value of incorrect type: ${id}`, ['Id'])]);
      if (keyPrefixOf(id18) !== schema.keyPrefix) {
        return fail([saveError('MALFORMED_ID', `${label}: id value of incorrect type: ${id}`, ['Id'])]);
      }
      return fail([saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')], id18);
    }
    if (found.record.IsDeleted === true) return fail([saveError('ENTITY_IS_DELETED', 'entity is deleted')], id18);
    // A converted Lead is frozen: every later write fails, whatever the fields.
    if (found.record.IsConverted === true && schema.name === 'Lead') return fail([CONVERTED_LEAD_ERROR], id18);
    if (!schema.updateable)
      return fail([saveError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be updated: ${schema.name}`)], id18);
    const readOnly = [...input.values.keys()].filter((f) => !f.updateable);
    if (readOnly.length > 0) return fail([readOnlyError(readOnly)], id18);

    const draft: Record<string, FieldValue> = { ...found.record };
    for (const [f, v] of input.values) draft[f.name] = v;
    const errors = this.validate(schema, draft, [...input.values.keys()], id18);
    if (errors.length > 0) return fail(errors, id18);

    const now = formatDateTime(ctx.now);
    Object.assign(draft, { LastModifiedDate: now, LastModifiedById: ctx.userId, SystemModstamp: now });
    this.put(schema, id18, finish(schema, draft));
    if (schema.name === 'Lead') {
      this.autoAssign.set(id18, { ...this.autoAssign.get(id18), onLastUpdate: ctx.autoAssign ?? true });
    }
    this.changed();
    return { id: id18, success: true, errors: [] };
  }

  /**
   * Upsert by an external id field (or Id): updates the one record whose field equals the
   * value, creates one when none does, and fails when several do.
   */
  upsert(input: DeserializedRecord, extIdField: FieldSchema, extIdValue: string, ctx: WriteContext): SaveResult {
    const { schema } = input;
    if (extIdField.type === 'id') {
      const result = this.update(input, extIdValue, ctx);
      return { ...result, created: false };
    }
    const matches = this.findByIndexedField(schema.name, extIdField.name, extIdValue);
    if (matches.length > 1) {
      return {
        success: false,
        errors: [
          saveError(
            'DUPLICATE_EXTERNAL_ID',
            `${extIdField.label}: more than one record found for external id field: [${matches.map((m) => String(m.Id)).join(', ')}]`,
            [extIdField.name],
          ),
        ],
        created: false,
      };
    }
    const match = matches[0];
    if (match) {
      const values = new Map(input.values);
      values.delete(extIdField);
      return { ...this.update({ schema, values }, String(match.Id), ctx), created: false };
    }
    const values = new Map(input.values);
    values.set(extIdField, extIdValue);
    const result = this.create({ schema, values }, ctx);
    // UpsertResult.created is true only for a record that was actually inserted.
    return { ...result, created: result.success };
  }

  delete(objectName: string | undefined, id: string, ctx: WriteContext): SaveResult {
    const id18 = toId18(id);
    if (!id18) return fail([saveError('MALFORMED_ID', `malformed id ${id}`)]);
    const found = this.findById(id18);
    if (!found || (objectName !== undefined && found.schema.name.toLowerCase() !== objectName.toLowerCase())) {
      return fail([saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id')], id18);
    }
    if (found.record.IsDeleted === true) return fail([saveError('ENTITY_IS_DELETED', 'entity is deleted')], id18);
    if (!found.schema.deletable) {
      return fail([saveError('INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id')], id18);
    }
    const now = formatDateTime(ctx.now);
    this.put(found.schema, id18, {
      ...found.record,
      IsDeleted: true,
      LastModifiedDate: now,
      LastModifiedById: ctx.userId,
      SystemModstamp: now,
    });
    this.changed();
    return { id: id18, success: true, errors: [] };
  }

  /**
   * Writes fields the platform itself maintains (lead conversion sets IsConverted,
   * ConvertedContactId, …, which no client may write). Skips field access and validation,
   * but stamps the audit fields and notifies listeners like any save.
   */
  systemUpdate(
    objectName: string,
    id: string,
    values: Readonly<Record<string, FieldValue>>,
    ctx: WriteContext,
  ): SObjectRecord {
    const schema = this.requireSchema(objectName);
    const id18 = toId18(id);
    const record = id18 ? this.table(schema).get(id18) : undefined;
    if (!id18 || !record) throw new Error(`No ${schema.name} ${id}`);
    const now = formatDateTime(ctx.now);
    const draft: Record<string, FieldValue> = { ...record };
    for (const [k, v] of Object.entries(values)) {
      const f = getField(schema, k);
      if (!f) throw new Error(`Unknown field ${schema.name}.${k}`);
      draft[f.name] = v;
    }
    Object.assign(draft, { LastModifiedDate: now, LastModifiedById: ctx.userId, SystemModstamp: now });
    const next = finish(schema, draft);
    this.put(schema, id18, next);
    this.changed();
    return next;
  }

  /**
   * Stores a record as given, without save rules: for seeding and for loading a state
   * file. Missing audit fields are filled in.
   */
  insertRaw(objectName: string, values: Readonly<Record<string, FieldValue>>, ctx: WriteContext): string {
    const schema = this.requireSchema(objectName);
    const now = formatDateTime(ctx.now);
    const draft: Record<string, FieldValue> = {};
    for (const f of schema.fields) if (f.defaultValue !== null) draft[f.name] = f.defaultValue;
    if (getField(schema, 'OwnerId')) draft.OwnerId = ctx.userId;
    Object.assign(draft, {
      CreatedDate: now,
      CreatedById: ctx.userId || null,
      LastModifiedDate: now,
      LastModifiedById: ctx.userId || null,
      SystemModstamp: now,
    });
    if (getField(schema, 'IsDeleted')) draft.IsDeleted = false;
    for (const [k, v] of Object.entries(values)) {
      const f = getField(schema, k);
      if (!f) throw new Error(`Unknown field ${schema.name}.${k}`);
      draft[f.name] = v;
    }
    const given = typeof draft.Id === 'string' ? toId18(draft.Id) : undefined;
    const id = given ?? this.nextId(schema);
    draft.Id = id;
    if (draft.CreatedById === null) draft.CreatedById = id;
    if (draft.LastModifiedById === null) draft.LastModifiedById = id;
    this.put(schema, id, finish(schema, draft));
    this.changed();
    return id;
  }

  // ---- validation -------------------------------------------------------------------------

  private validate(
    schema: ObjectSchema,
    draft: Record<string, FieldValue>,
    sent: FieldSchema[],
    selfId: string | undefined,
  ): SaveError[] {
    const errors: SaveError[] = [];
    const missing = schema.fields.filter(
      (f) =>
        !f.nillable &&
        f.type !== 'boolean' &&
        f.type !== 'id' &&
        f.createable &&
        (draft[f.name] === null || draft[f.name] === undefined || draft[f.name] === ''),
    );
    if (missing.length > 0) {
      const names = missing.map((f) => f.name);
      errors.push(saveError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names));
    }
    for (const f of sent) {
      const value = draft[f.name];
      if (value === null || value === undefined) continue;
      if (typeof value === 'string' && TEXT_TYPES.has(f.type) && f.length > 0 && value.length > f.length) {
        errors.push(
          saveError(
            'STRING_TOO_LONG',
            `${f.label}: data value too large: ${value.slice(0, 100)} (max length=${f.length})`,
            [f.name],
          ),
        );
        continue;
      }
      if (f.type === 'email' && typeof value === 'string' && !EMAIL_RE.test(value)) {
        errors.push(saveError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${value}`, [f.name]));
        continue;
      }
      if (
        f.type === 'picklist' &&
        f.restrictedPicklist &&
        typeof value === 'string' &&
        !f.picklistValues.some((p) => p.value === value)
      ) {
        // Unlike the other field errors, this message carries no label prefix.
        errors.push(
          saveError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `bad value for restricted picklist field: ${value}`, [
            f.name,
          ]),
        );
        continue;
      }
      if (f.type === 'reference' && typeof value === 'string') {
        const refError = this.checkReference(schema, f, value, draft);
        if (refError) errors.push(refError);
        continue;
      }
      if (f.unique && typeof value === 'string') {
        const clash = this.findByIndexedField(schema.name, f.name, value).find((r) => r.Id !== selfId);
        if (clash)
          errors.push(
            saveError(
              'DUPLICATE_VALUE',
              `duplicate value found: ${f.name} duplicates value on record with id: ${String(clash.Id)}`,
              [f.name],
            ),
          );
      }
    }
    return errors;
  }

  /** Checks a lookup value and stores it in its canonical 18-character form. */
  private checkReference(
    schema: ObjectSchema,
    f: FieldSchema,
    value: string,
    draft: Record<string, FieldValue>,
  ): SaveError | undefined {
    const incorrectType = saveError('MALFORMED_ID', `${f.label}: id value of incorrect type: ${value}`, [f.name]);
    const id18 = toId18(value);
    if (!id18) return incorrectType;
    const target = this.schemas.byKeyPrefix(keyPrefixOf(id18));
    if (!target || !f.referenceTo.includes(target.name)) return incorrectType;
    const found = this.findById(id18);
    if (!found || found.record.IsDeleted === true) {
      return saveError('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [f.name]);
    }
    if (f.name === 'OwnerId') {
      if (target.name === 'User' && found.record.IsActive !== true) {
        return saveError(
          'INACTIVE_OWNER_OR_USER',
          `operation performed with inactive user [${id18}] as owner of ${schema.label.toLowerCase()}`,
          [f.name],
        );
      }
      if (target.name === 'Group' && found.record.Type !== 'Queue') {
        return saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [f.name]);
      }
    }
    draft[f.name] = id18;
    return undefined;
  }

  // ---- whole-state operations -----------------------------------------------------------

  /** Removes every record and restarts id sequences and usage (used by reset and seed). */
  clear(): void {
    for (const t of this.tables.values()) t.clear();
    for (const idx of this.indexes.values()) idx.clear();
    this.sequences.clear();
    this.autoAssign.clear();
    this.apiUsage = 0;
    this.apiUserId = '';
    this.changed();
  }

  /** Every record of every object (deleted included), for persistence. */
  dump(): { objects: Record<string, SObjectRecord[]>; sequences: Record<string, number> } {
    const objects: Record<string, SObjectRecord[]> = {};
    for (const [name, table] of this.tables) if (table.size > 0) objects[name] = [...table.values()];
    return { objects, sequences: Object.fromEntries(this.sequences) };
  }

  /** Restores records written by `dump()`; unknown objects and fields are dropped. */
  restore(
    objects: Readonly<Record<string, readonly Readonly<Record<string, FieldValue>>[]>>,
    sequences: Readonly<Record<string, number>>,
  ): void {
    for (const [name, records] of Object.entries(objects)) {
      const schema = this.schemas.get(name);
      if (!schema) continue;
      for (const r of records) {
        const id = typeof r.Id === 'string' ? toId18(r.Id) : undefined;
        if (!id) continue;
        const clean: Record<string, FieldValue> = {};
        for (const [k, v] of Object.entries(r)) {
          const f = getField(schema, k);
          if (f && v !== null) clean[f.name] = v;
        }
        clean.Id = id;
        this.put(schema, id, clean);
      }
    }
    for (const [prefix, n] of Object.entries(sequences)) this.sequences.set(prefix, n);
    this.changed();
  }
}

export const CONVERTED_LEAD_ERROR: SaveError = saveError(
  'CANNOT_UPDATE_CONVERTED_LEAD',
  'cannot reference converted lead',
);

function fail(errors: SaveError[], id?: string): SaveResult {
  return id === undefined ? { success: false, errors } : { id, success: false, errors };
}

function readOnlyError(fields: FieldSchema[]): SaveError {
  const names = fields.map((f) => f.name);
  return saveError(
    'INVALID_FIELD_FOR_INSERT_UPDATE',
    `Unable to create/update fields: ${names.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
    names,
  );
}

/** Applies derived fields and drops nulls (records are stored sparse). */
function finish(schema: ObjectSchema, draft: Record<string, FieldValue>): SObjectRecord {
  const derive = DERIVED_FIELDS[schema.name];
  if (derive) Object.assign(draft, derive(draft));
  for (const k of Object.keys(draft)) if (draft[k] === null || draft[k] === undefined) delete draft[k];
  return Object.freeze(draft);
}
