import { CALCULATED_SOURCE, historyOfProperty, present, type ValueWithTimestampJson } from './history';
import type { PropertyRegistry } from './properties';
import type { CrmRecord, ObjectStore, ObjectTypeConfig } from './store';
import { toIso } from './time';

/** HubSpot's SimplePublicObject (WithAssociations), as JSON. */
export interface SimplePublicObjectJson {
  id: string;
  properties: Record<string, string | null>;
  propertiesWithHistory?: Record<string, ValueWithTimestampJson[]>;
  associations?: Record<string, { results: { id: string; type: string }[] }>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  /** Echoed from a batch input that carried one, so clients can pair results with inputs. */
  objectWriteTraceId?: string;
}

/**
 * `propertiesWithHistory` for the requested names the portal defines (others are left
 * out, like unknown `properties`), newest first. A defined property that never had a value
 * has an empty list. The system properties keep no stored history: their single value is
 * reported from the record.
 */
export function historyOf(
  record: CrmRecord,
  names: readonly string[],
  store: ObjectStore,
  registry: PropertyRegistry,
): Record<string, ValueWithTimestampJson[]> {
  const out: Record<string, ValueWithTimestampJson[]> = {};
  for (const name of names) {
    if (!registry.has(name)) continue;
    if (!store.isSystemProperty(name)) {
      out[name] = historyOfProperty(record.history, name);
      continue;
    }
    const value = record.properties[name];
    const at = name === store.config.lastModifiedProperty ? record.updatedAt : record.createdAt;
    out[name] = value === undefined ? [] : [present(value, at, CALCULATED_SOURCE)];
  }
  return out;
}

/**
 * Which properties a read returns. With none requested: the object's defaults. With some:
 * those the portal defines (unknown names are left out, as HubSpot does) plus the three
 * every read carries. Unset ones come back as null.
 */
export function readNames(
  requested: readonly string[] | undefined,
  config: ObjectTypeConfig,
  registry: PropertyRegistry,
): string[] {
  if (!requested || requested.length === 0) return [...config.defaultProperties];
  const names = new Set<string>([config.createdProperty, 'hs_object_id', config.lastModifiedProperty]);
  for (const n of requested) if (registry.has(n)) names.add(n);
  return [...names].sort();
}

/**
 * One record in HubSpot's response shape. `names` undefined means every stored property,
 * which is what create and update answer with. Properties come sorted by name, as captured.
 */
export function presentRecord(
  record: CrmRecord,
  names?: readonly string[],
  extras: Pick<SimplePublicObjectJson, 'propertiesWithHistory' | 'associations'> = {},
): SimplePublicObjectJson {
  const properties: Record<string, string | null> = {};
  if (names === undefined) {
    for (const k of Object.keys(record.properties).sort()) properties[k] = record.properties[k] ?? null;
  } else {
    for (const k of names) properties[k] = record.properties[k] ?? null;
  }
  const out: SimplePublicObjectJson = {
    id: record.id,
    properties,
    ...(extras.propertiesWithHistory ? { propertiesWithHistory: extras.propertiesWithHistory } : {}),
    ...(extras.associations ? { associations: extras.associations } : {}),
    createdAt: toIso(record.createdAt),
    updatedAt: toIso(record.updatedAt),
    archived: record.archived,
  };
  if (record.archivedAt !== undefined) out.archivedAt = toIso(record.archivedAt);
  return out;
}

/** Query parameters that list names come repeated (`properties=a&properties=b`) or comma-joined. */
export function nameList(param: string | string[] | undefined): string[] | undefined {
  if (param === undefined) return undefined;
  const parts = (Array.isArray(param) ? param : [param]).flatMap((p) => p.split(','));
  const names = parts.map((p) => p.trim()).filter((p) => p !== '');
  return names.length > 0 ? names : undefined;
}
