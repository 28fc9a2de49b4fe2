/**
 * Field paths in SOQL: `Email`, and parent relationship paths such as `Owner.Email`,
 * resolved through lookup fields (OwnerId → User). A polymorphic lookup (Lead.OwnerId →
 * User or queue) resolves to the `Name` object, which has the fields common to its targets.
 * https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_relationships_and_polymorph_keys.htm
 */
import {
  defineObject,
  field,
  type FieldSchema,
  type FieldValue,
  getField,
  type ObjectSchema,
  type SObjectRecord,
} from '../schema';
import { locatedError, type SoqlDataSource } from './types';

/** The fields a polymorphic relationship (Owner, Who, What) exposes. */
export const NAME_OBJECT: ObjectSchema = defineObject('Name', '000', [
  field('Id', 'id'),
  field('Name', 'string'),
  field('FirstName', 'string'),
  field('LastName', 'string'),
  field('Alias', 'string'),
  field('Email', 'email'),
  field('Phone', 'phone'),
  field('Title', 'string'),
  field('Username', 'string'),
  field('IsActive', 'boolean'),
  field('Type', 'string'),
  field('CreatedDate', 'datetime'),
  field('LastModifiedDate', 'datetime'),
  field('SystemModstamp', 'datetime'),
]);

export interface FieldPath {
  /** Canonical spelling, e.g. `Owner.Email`. */
  display: string;
  /** Lookup fields walked, with the relationship name and whether it is polymorphic. */
  hops: { lookup: FieldSchema; relationshipName: string; target: ObjectSchema }[];
  /** The field read at the end of the path. */
  field: FieldSchema;
}

export function resolvePath(
  ds: SoqlDataSource,
  root: ObjectSchema,
  rawPath: string,
  soql: string,
  alias?: string,
): FieldPath {
  let parts = rawPath.split('.');
  if (alias && parts.length > 1 && parts[0]?.toLowerCase() === alias.toLowerCase()) parts = parts.slice(1);
  const hops: FieldPath['hops'] = [];
  let current = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const rel = parts[i] ?? '';
    const lookup = current.relationshipsByLowerName.get(rel.toLowerCase());
    const firstTarget = lookup?.referenceTo[0];
    const target =
      lookup && lookup.referenceTo.length > 1 ? NAME_OBJECT : firstTarget ? ds.schemas.get(firstTarget) : undefined;
    if (!lookup || !target) {
      throw locatedError(
        'INVALID_FIELD',
        soql,
        rawPath,
        `Didn't understand relationship '${rel}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    hops.push({ lookup, relationshipName: lookup.relationshipName ?? rel, target });
    current = target;
  }
  const last = parts[parts.length - 1] ?? '';
  const f = getField(current, last);
  if (!f) {
    throw locatedError(
      'INVALID_FIELD',
      soql,
      rawPath,
      `No such column '${last}' on entity '${current.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  return { display: [...hops.map((h) => h.relationshipName), f.name].join('.'), hops, field: f };
}

/** The live record a lookup points at (a deleted parent reads as null). */
export function followLookup(
  ds: SoqlDataSource,
  record: SObjectRecord,
  lookup: FieldSchema,
): { schema: ObjectSchema; record: SObjectRecord } | undefined {
  const id = record[lookup.name];
  if (typeof id !== 'string') return undefined;
  const found = ds.findById(id);
  return found && found.record.IsDeleted !== true ? found : undefined;
}

/** Reads a field of a record reached through the Name object, where `Type` names the target. */
export function readField(schema: ObjectSchema, record: SObjectRecord, f: FieldSchema, viaName: boolean): FieldValue {
  if (viaName && f.name === 'Type') return schema.name === 'Group' ? (record.Type ?? 'Queue') : schema.name;
  return record[f.name] ?? null;
}

export type Getter = (record: SObjectRecord) => FieldValue;

export function makeGetter(ds: SoqlDataSource, path: FieldPath): Getter {
  const name = path.field.name;
  if (path.hops.length === 0) return (r) => r[name] ?? null;
  const hops = path.hops;
  const viaName = hops[hops.length - 1]?.target === NAME_OBJECT;
  return (r) => {
    let current: { schema: ObjectSchema; record: SObjectRecord } | undefined;
    let record = r;
    for (const hop of hops) {
      current = followLookup(ds, record, hop.lookup);
      if (!current) return null;
      record = current.record;
    }
    return current ? readField(current.schema, current.record, path.field, viaName) : null;
  };
}
