import type { PropertyRegistry } from './properties';
import type { CrmRecord, ObjectTypeConfig } from './store';
import { toIso } from './time';

/** HubSpot's SimplePublicObject, as JSON. */
export interface SimplePublicObjectJson {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
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
export function presentRecord(record: CrmRecord, names?: readonly string[]): SimplePublicObjectJson {
  const properties: Record<string, string | null> = {};
  if (names === undefined) {
    for (const k of Object.keys(record.properties).sort()) properties[k] = record.properties[k] ?? null;
  } else {
    for (const k of names) properties[k] = record.properties[k] ?? null;
  }
  const out: SimplePublicObjectJson = {
    id: record.id,
    properties,
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
