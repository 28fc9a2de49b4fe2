/**
 * Reading a mapping's fields: which names an entry has on each side, which way it flows,
 * and the settings that apply to one direction. Pure functions over the parsed file.
 */
import type { FieldMapping, FlowDirection, Range, Side, SimpleTransform, UnmappedPolicy } from '../config/mapping-file';
import type { ValueType } from './coerce';

/** The field names of one side of an entry: one, several (join/split) or none (a constant's source). */
export function namesOn(field: Pick<FieldMapping, 'hubspot' | 'salesforce' | 'parts'>, side: Side): string[] {
  if (field.parts?.side === side) return [...field.parts.fields];
  return field[side] === '' ? [] : [field[side]];
}

export function flowsTo(field: Pick<FieldMapping, 'direction'>, direction: FlowDirection): boolean {
  return field.direction === 'both' || field.direction === direction;
}

export const targetSide = (direction: FlowDirection): Side =>
  direction === 'to_salesforce' ? 'salesforce' : 'hubspot';
export const sourceSide = (direction: FlowDirection): Side =>
  direction === 'to_salesforce' ? 'hubspot' : 'salesforce';
export const FLOW_DIRECTIONS: readonly FlowDirection[] = ['to_salesforce', 'to_hubspot'];

/** `hs_lead_status ↔ Status`, `full_name → FirstName + LastName`, `"Web" → LeadSource`. */
export function describeField(field: FieldMapping): string {
  const arrow = field.direction === 'both' ? '↔' : field.direction === 'to_salesforce' ? '→' : '←';
  const side = (s: Side) => {
    const list = namesOn(field, s);
    return list.length === 0 && field.constant !== undefined ? `"${field.constant}"` : list.join(' + ');
  };
  return `${side('hubspot')} ${arrow} ${side('salesforce')}`;
}

/** The settings that apply to one direction of a field: its own block over the field's. */
export interface EffectiveStep {
  transforms: SimpleTransform[];
  values?: Record<string, string | null>;
  /** Where `values` came from: a field-level map is read backwards on the way to HubSpot. */
  valuesFrom?: 'field' | FlowDirection;
  ranges?: Range[];
  unmapped?: UnmappedPolicy;
  default?: string;
  type?: ValueType;
  truncate?: number;
}

/** A field-level `values` map read backwards: the first HubSpot value of each Salesforce value wins. */
export function invertValues(values: Record<string, string | null>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(values)) if (to !== null && !(to in out)) out[to] = from;
  return out;
}

export function effectiveStep(field: FieldMapping, direction: FlowDirection): EffectiveStep {
  const own = field[direction] ?? {};
  const fieldValues =
    field.values === undefined ? undefined : direction === 'to_salesforce' ? field.values : invertValues(field.values);
  return {
    transforms: [...field.transforms, ...(own.transforms ?? [])],
    values: own.values ?? fieldValues,
    valuesFrom: own.values !== undefined ? direction : field.values !== undefined ? 'field' : undefined,
    ranges: own.ranges ?? field.ranges,
    unmapped: own.unmapped ?? field.unmapped,
    default: own.default ?? field.default,
    type: own.type ?? field.type,
    truncate: own.truncate ?? field.truncate,
  };
}
