import { appendChange, CALCULATED_SOURCE, CRM_UI_SOURCE, type PropertyHistory, type WriteSource } from './history';
import { numericValue } from './search';
import { toIso } from './time';

/** The CRM object types the sandbox models. Deals, tickets … would join this union. */
export type CrmObjectType = 'contacts' | 'companies';

/** What differs between object types; the routes and the store are shared. */
export interface ObjectTypeConfig {
  name: CrmObjectType;
  /** "Contact already exists. Existing ID: N" */
  singular: string;
  /** "Could not get some CONTACT objects, …" */
  upper: string;
  objectTypeId: string;
  /** A property whose value identifies one record (contacts: email, case-insensitively). */
  uniqueProperty?: string;
  createdProperty: string;
  /** Contacts use `lastmodifieddate`; every other object uses `hs_lastmodifieddate`. */
  lastModifiedProperty: string;
  /** Returned when a read names no properties. */
  defaultProperties: readonly string[];
  /** Searched by the free-text `query` of CRM search. */
  queryProperties: readonly string[];
}

export const CONTACTS: ObjectTypeConfig = {
  name: 'contacts',
  singular: 'Contact',
  upper: 'CONTACT',
  objectTypeId: '0-1',
  uniqueProperty: 'email',
  createdProperty: 'createdate',
  lastModifiedProperty: 'lastmodifieddate',
  // https://developers.hubspot.com/docs/api/crm/search#default-properties-returned
  defaultProperties: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
  queryProperties: ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company', 'hs_additional_emails'],
};

export const COMPANIES: ObjectTypeConfig = {
  name: 'companies',
  singular: 'Company',
  upper: 'COMPANY',
  objectTypeId: '0-2',
  // HubSpot de-duplicates companies by domain only in the UI and imports; the API lets two
  // companies share a domain, so there is no unique property here.
  createdProperty: 'createdate',
  lastModifiedProperty: 'hs_lastmodifieddate',
  // https://developers.hubspot.com/docs/api/crm/search#default-properties-returned
  defaultProperties: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
  queryProperties: ['name', 'domain', 'website', 'phone'],
};

export const OBJECT_TYPES: Record<CrmObjectType, ObjectTypeConfig> = { contacts: CONTACTS, companies: COMPANIES };

/** The object type behind a HubSpot object type id (`0-1`) or name (`contacts`, `contact`). */
export function objectTypeOf(name: string): CrmObjectType | undefined {
  const lower = name.toLowerCase();
  for (const config of Object.values(OBJECT_TYPES)) {
    if (config.name === lower || config.objectTypeId === lower || config.singular.toLowerCase() === lower)
      return config.name;
  }
  return undefined;
}

export interface CrmRecord {
  id: string;
  /** Values as HubSpot stores them: strings only, and a cleared property is absent. */
  properties: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
  /**
   * Merged into this record (POST …/merge): gone from search, lists and the recycle bin,
   * while reads by the old id answer with the record it was merged into. Stored archived.
   */
  mergedInto?: string;
  /**
   * The values each write changed, oldest first. The system properties (`hs_object_id`,
   * the create and modified dates) are left out: their one value is derived on read.
   */
  history: PropertyHistory;
}

export type ChangeEvent =
  | { kind: 'created'; objectType: CrmObjectType; id: string; at: number; source: WriteSource }
  | { kind: 'updated'; objectType: CrmObjectType; id: string; at: number; changed: string[]; source: WriteSource }
  | { kind: 'archived'; objectType: CrmObjectType; id: string; at: number }
  | { kind: 'owners' | 'lists' | 'properties' | 'associations' | 'workflows' | 'reset'; at: number };

/** Ids merged into a record, `;`-separated (HubSpot's read-only property). */
export const MERGED_IDS = 'hs_merged_object_ids';
const ADDITIONAL_EMAILS = 'hs_additional_emails';

function emptyProperties(): Record<string, string> {
  // No prototype: property names come from requests.
  return Object.create(null) as Record<string, string>;
}

/**
 * The records of one object type, with an index on the unique property so that batch
 * paths stay O(batch) however many records there are. It enforces nothing about HubSpot's
 * rules (validation, conflicts): that is the service's job, so seeds and tests can write
 * straight into it.
 */
export class ObjectStore {
  private readonly byId = new Map<string, CrmRecord>();
  /** Records in id order (ids only grow), archived ones included, for cursor paging. */
  private readonly ordered: CrmRecord[] = [];
  private readonly byUnique = new Map<string, string>();
  private activeCount = 0;
  /** Bumped by every write, so cached columns know when they are stale. */
  private version = 0;
  private readonly columns = new Map<string, { version: number; values: Float64Array }>();

  constructor(
    readonly config: ObjectTypeConfig,
    private readonly emit: (event: ChangeEvent) => void,
    private readonly firstId: number,
    public nextId: number = firstId,
  ) {}

  get size(): number {
    return this.activeCount;
  }

  /** The record, archived or not. */
  get(id: string): CrmRecord | undefined {
    return this.byId.get(id);
  }

  getActive(id: string): CrmRecord | undefined {
    const r = this.byId.get(id);
    return r && !r.archived ? r : undefined;
  }

  /** An active record by its unique property value (case-insensitive, as HubSpot matches emails). */
  findByUnique(value: string): CrmRecord | undefined {
    const id = this.byUnique.get(value.trim().toLowerCase());
    return id === undefined ? undefined : this.getActive(id);
  }

  *active(): IterableIterator<CrmRecord> {
    for (const r of this.ordered) if (!r.archived) yield r;
  }

  /** Records with an id ≥ `fromId` in id order, archived ones included. */
  *from(fromId: number): IterableIterator<CrmRecord> {
    for (let i = this.positionOf(fromId); i < this.ordered.length; i++) yield this.ordered[i]!;
  }

  /** Where the first record with an id ≥ `fromId` is in id order. */
  private positionOf(fromId: number): number {
    let lo = 0;
    let hi = this.ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (Number(this.ordered[mid]!.id) < fromId) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Each active record with an id ≥ `fromId`, in id order, with its position (for `numericColumn`). */
  forEachActiveFrom(fromId: number, visit: (record: CrmRecord, position: number) => void): void {
    for (let i = this.positionOf(fromId); i < this.ordered.length; i++) {
      const r = this.ordered[i]!;
      if (!r.archived) visit(r, i);
    }
  }

  /**
   * One property's values as numbers, by position in id order (NaN: no value, or not a
   * number), kept until the next write. A delta sync's searches compare the same dates
   * over and over; reading them from here spares parsing each stored string every time.
   */
  numericColumn(name: string): Float64Array {
    const cached = this.columns.get(name);
    if (cached && cached.version === this.version) return cached.values;
    const values = new Float64Array(this.ordered.length);
    for (let i = 0; i < values.length; i++) {
      const raw = this.ordered[i]!.properties[name];
      const n = raw === undefined ? undefined : numericValue(raw);
      // Anything else compares as text or not at all: NaN sends it to the full filter.
      values[i] = n !== undefined && Number.isFinite(n) ? n : Number.NaN;
    }
    this.columns.set(name, { version: this.version, values });
    return values;
  }

  /**
   * Adds a record with the system properties HubSpot sets itself. `values` must already be
   * valid; empty strings are dropped. History starts with every value, stamped at creation.
   */
  insert(
    values: Readonly<Record<string, string>>,
    now: number,
    createdAt = now,
    source: WriteSource = CRM_UI_SOURCE,
  ): CrmRecord {
    const id = String(this.nextId++);
    const properties = emptyProperties();
    const initial = emptyProperties();
    for (const [k, v] of Object.entries(values)) {
      if (v === '') continue;
      properties[k] = v;
      if (!this.isSystemProperty(k)) initial[k] = v;
    }
    const created = properties[this.config.createdProperty];
    const parsed = created !== undefined ? Date.parse(created) : createdAt;
    const createdMs = Number.isNaN(parsed) ? createdAt : parsed;
    const record: CrmRecord = {
      id,
      properties,
      createdAt: createdMs,
      updatedAt: now,
      archived: false,
      history: [{ at: createdMs, source, values: initial }],
    };
    properties.hs_object_id = id;
    properties[this.config.createdProperty] = toIso(record.createdAt);
    properties[this.config.lastModifiedProperty] = toIso(now);
    this.recordDerived(record, this.derive(record, undefined, now), record.createdAt);
    this.add(record);
    this.version++;
    this.emit({ kind: 'created', objectType: this.config.name, id, at: now, source });
    return record;
  }

  /** Derived values go into history as HubSpot's own (CALCULATED) writes. */
  private recordDerived(record: CrmRecord, names: readonly string[], at: number): void {
    if (names.length === 0) return;
    const values = emptyProperties();
    for (const k of names) values[k] = record.properties[k] ?? '';
    appendChange(record.history, { at, source: CALCULATED_SOURCE, values });
  }

  /** Properties whose single value is derived from the record itself, so they keep no history. */
  isSystemProperty(name: string): boolean {
    return name === 'hs_object_id' || name === this.config.createdProperty || name === this.config.lastModifiedProperty;
  }

  /**
   * Applies values to a record; "" clears. Returns the names that changed. A write that
   * changes nothing leaves `lastmodifieddate` alone, so echoes of unchanged values do not
   * look like edits to a delta sync.
   */
  update(
    record: CrmRecord,
    values: Readonly<Record<string, string>>,
    now: number,
    source: WriteSource = CRM_UI_SOURCE,
  ): string[] {
    const changed: string[] = [];
    const before = this.uniqueValue(record);
    for (const [k, v] of Object.entries(values)) {
      const old = record.properties[k];
      if (v === '') {
        if (old !== undefined) {
          delete record.properties[k];
          changed.push(k);
        }
      } else if (old !== v) {
        record.properties[k] = v;
        changed.push(k);
      }
    }
    if (changed.length === 0) return changed;
    this.version++;
    if (changed.includes(this.config.createdProperty)) {
      const ms = Date.parse(record.properties[this.config.createdProperty] ?? '');
      if (!Number.isNaN(ms)) record.createdAt = ms;
    }
    // A cleared value is recorded as "", as HubSpot's history shows it.
    const written = emptyProperties();
    for (const k of changed) if (!this.isSystemProperty(k)) written[k] = record.properties[k] ?? '';
    appendChange(record.history, { at: now, source, values: written });
    const derived = this.derive(record, changed, now);
    this.recordDerived(record, derived, now);
    changed.push(...derived);
    record.updatedAt = now;
    record.properties[this.config.lastModifiedProperty] = toIso(now);
    const after = this.uniqueValue(record);
    if (before !== after) {
      if (before !== undefined && this.byUnique.get(before) === record.id) this.byUnique.delete(before);
      if (after !== undefined) this.byUnique.set(after, record.id);
    }
    this.emit({ kind: 'updated', objectType: this.config.name, id: record.id, at: now, changed, source });
    return changed;
  }

  /** Archives (HubSpot's delete); the unique value is free again. Unknown ids are ignored. */
  archive(id: string, now: number): boolean {
    const record = this.byId.get(id);
    if (!record || record.archived) return false;
    record.archived = true;
    this.version++;
    record.archivedAt = now;
    record.updatedAt = now;
    this.activeCount--;
    const key = this.uniqueValue(record);
    if (key !== undefined && this.byUnique.get(key) === record.id) this.byUnique.delete(key);
    this.emit({ kind: 'archived', objectType: this.config.name, id, at: now });
    return true;
  }

  /**
   * Merges `secondary` into `primary`: the primary keeps its values and takes the
   * secondary's where it has none; the secondary's email becomes one of its additional
   * emails, and `hs_merged_object_ids` lists every id merged into it. Returns false when
   * either record is not active.
   */
  merge(primaryId: string, secondaryId: string, now: number, source: WriteSource = CRM_UI_SOURCE): boolean {
    const primary = this.getActive(primaryId);
    const secondary = this.getActive(secondaryId);
    if (!primary || !secondary || primary === secondary) return false;
    const values = emptyProperties();
    for (const [k, v] of Object.entries(secondary.properties)) {
      if (this.isSystemProperty(k) || k === MERGED_IDS || k === this.config.uniqueProperty || k === ADDITIONAL_EMAILS)
        continue;
      if (primary.properties[k] === undefined) values[k] = v;
    }
    const list = (v: string | undefined) => (v ?? '').split(';').filter((x) => x !== '');
    const unique = this.config.uniqueProperty;
    if (this.config.name === 'contacts' && unique !== undefined) {
      const emails = [
        ...list(primary.properties[ADDITIONAL_EMAILS]),
        ...list(secondary.properties[unique]),
        ...list(secondary.properties[ADDITIONAL_EMAILS]),
      ];
      const additional = [...new Set(emails)].filter((e) => e !== primary.properties[unique]);
      if (additional.length > 0) values[ADDITIONAL_EMAILS] = additional.join(';');
    }
    values[MERGED_IDS] = [
      ...new Set([...list(primary.properties[MERGED_IDS]), secondary.id, ...list(secondary.properties[MERGED_IDS])]),
    ].join(';');

    // The secondary leaves first, so its email is free for the primary's additional emails.
    const key = this.uniqueValue(secondary);
    if (key !== undefined && this.byUnique.get(key) === secondary.id) this.byUnique.delete(key);
    secondary.archived = true;
    secondary.archivedAt = now;
    secondary.updatedAt = now;
    secondary.mergedInto = primary.id;
    this.activeCount--;
    // Records merged into the secondary before now resolve to the primary too.
    for (const r of this.ordered) if (r.mergedInto === secondary.id) r.mergedInto = primary.id;
    this.version++;
    this.update(primary, values, now, source);
    return true;
  }

  /** The active record an id names, following merges: the record itself, or the one it was merged into. */
  resolveMerged(id: string): CrmRecord | undefined {
    let r = this.byId.get(id);
    for (let hops = 0; r?.mergedInto !== undefined && hops < 100; hops++) r = this.byId.get(r.mergedInto);
    return r && !r.archived ? r : undefined;
  }

  clear(): void {
    this.version++;
    this.byId.clear();
    this.ordered.length = 0;
    this.byUnique.clear();
    this.activeCount = 0;
    this.nextId = this.firstId;
  }

  /** Restores saved records without emitting events. */
  load(records: readonly CrmRecord[], nextId: number): void {
    this.clear();
    const sorted = [...records].sort((a, b) => Number(a.id) - Number(b.id));
    let next = Math.max(nextId, this.firstId);
    for (const r of sorted) {
      const properties = emptyProperties();
      Object.assign(properties, r.properties);
      this.add({ ...r, properties, history: [...r.history] });
      next = Math.max(next, Number(r.id) + 1);
    }
    this.nextId = next;
  }

  toJSON(): { nextId: number; records: CrmRecord[] } {
    return { nextId: this.nextId, records: this.ordered };
  }

  private add(record: CrmRecord): void {
    this.byId.set(record.id, record);
    this.ordered.push(record);
    if (!record.archived) {
      this.activeCount++;
      const key = this.uniqueValue(record);
      if (key !== undefined) this.byUnique.set(key, record.id);
    }
  }

  private uniqueValue(record: CrmRecord): string | undefined {
    const prop = this.config.uniqueProperty;
    const v = prop === undefined ? undefined : record.properties[prop];
    return v === undefined ? undefined : v.trim().toLowerCase();
  }

  /**
   * Values HubSpot derives from others: the contact's email domain and the lifecycle stage
   * dates (contacts and companies). Returns the names it changed.
   */
  private derive(record: CrmRecord, changed: readonly string[] | undefined, now: number): string[] {
    const p = record.properties;
    const derived: string[] = [];
    if (this.config.name === 'contacts' && (!changed || changed.includes('email'))) {
      const domain = p.email?.split('@')[1]?.toLowerCase();
      if (domain && p.hs_email_domain !== domain) {
        p.hs_email_domain = domain;
        derived.push('hs_email_domain');
      } else if (!domain && p.hs_email_domain !== undefined) {
        delete p.hs_email_domain;
        derived.push('hs_email_domain');
      }
    }
    if ((!changed || changed.includes('lifecyclestage')) && p.lifecyclestage) {
      const key = `hs_lifecyclestage_${p.lifecyclestage}_date`;
      if (p[key] === undefined) {
        p[key] = toIso(changed ? now : record.createdAt);
        derived.push(key);
      }
    }
    return derived;
  }
}
