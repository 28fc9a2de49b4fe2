import type { FieldMapping, ObjectMapping } from '../config/mapping-file';

/** A record's values as both CRMs' APIs carry them: text or absent (null). */
export type Values = Record<string, string | null>;

export function isBlank(value: string | null | undefined): value is null | undefined | '' {
  return value === null || value === undefined || value.trim() === '';
}

export function applyTransforms(value: string | null, field: FieldMapping): string | null {
  let out = value;
  for (const t of field.transforms) {
    if (out === null) break;
    if (t === 'trim') out = out.trim();
    else if (t === 'lowercase') out = out.toLowerCase();
    else if (t === 'uppercase') out = out.toUpperCase();
  }
  if (isBlank(out) && field.default !== undefined) out = field.default;
  return out === '' ? null : out;
}

/** The Salesforce values a HubSpot record maps to, for the fields that flow that way. */
export function toSalesforceValues(mapping: ObjectMapping, hubspot: Values): Values {
  const out: Values = {};
  for (const field of mapping.fields) {
    if (field.direction === 'to_hubspot') continue;
    out[field.salesforce] = applyTransforms(hubspot[field.hubspot] ?? null, field);
  }
  return out;
}

/** Fields whose value differs from the last value Baton synced (the snapshot). */
export function changedValues(next: Values, snapshot: Values | undefined): Values {
  if (!snapshot) return { ...next };
  const changed: Values = {};
  for (const [key, value] of Object.entries(next)) {
    if ((snapshot[key] ?? null) !== value) changed[key] = value;
  }
  return changed;
}

export function normaliseMatchKey(mapping: ObjectMapping, value: string | null | undefined): string | null {
  if (isBlank(value)) return null;
  const trimmed = value.trim();
  return mapping.match.case_insensitive ? trimmed.toLowerCase() : trimmed;
}

/** HubSpot properties a sync needs to read for a mapping. */
export function hubspotPropertiesOf(mapping: ObjectMapping): string[] {
  return [...new Set([mapping.match.hubspot, ...mapping.fields.map((f) => f.hubspot)])];
}

export function salesforceFieldsOf(mapping: ObjectMapping): string[] {
  return [...new Set([mapping.match.salesforce, ...mapping.fields.map((f) => f.salesforce)])];
}
