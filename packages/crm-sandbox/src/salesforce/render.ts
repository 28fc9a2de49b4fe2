/**
 * Records as the sObject resources print them: `attributes` first, then fields by their
 * canonical names, with null for blank fields.
 */
import { ApiError } from './errors';
import { type FieldSchema, getField, type ObjectSchema, type SObjectRecord } from './schema';
import type { QueryRecord } from './soql';

export function recordUrl(version: string, objectName: string, id: string): string {
  return `/services/data/v${version}/sobjects/${objectName}/${id}`;
}

/**
 * The fields a `fields=` list names. Unknown names fail the request the way the API
 * fails a SELECT list (400 INVALID_FIELD).
 */
export function resolveFieldList(schema: ObjectSchema, names: readonly string[]): FieldSchema[] {
  return names.map((raw) => {
    const name = raw.trim();
    const f = getField(schema, name);
    if (!f) {
      throw ApiError.of(
        400,
        'INVALID_FIELD',
        `No such column '${name}' on entity '${schema.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      );
    }
    return f;
  });
}

/** All fields when `fields` is undefined; otherwise the ones asked for, plus Id (the API always adds it). */
export function renderRecord(
  schema: ObjectSchema,
  record: SObjectRecord,
  fields: readonly FieldSchema[] | undefined,
  version: string,
): QueryRecord {
  const id = String(record.Id);
  const out: QueryRecord = { attributes: { type: schema.name, url: recordUrl(version, schema.name, id) } };
  for (const f of fields ?? schema.fields) out[f.name] = record[f.name] ?? null;
  if (fields && !('Id' in out)) out.Id = id;
  return out;
}
