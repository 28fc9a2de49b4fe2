import type { ObjectMapping } from '../config/mapping-file';
import { namesOn } from './fields';
import { isBlank, type Values } from './transform';

/**
 * Deciding what one record's sync writes, as a pure function of the record on both
 * sides and the snapshot of what was in step last time. This is where two-way sync
 * converges: a change is a difference from the snapshot, so Baton's own writes (echoes)
 * are not changes, and a field changed on both sides is settled by the mapping's rule.
 */

export type Side = 'hubspot' | 'salesforce';
export type Direction = 'to_salesforce' | 'to_hubspot';
export type ConflictRule = 'hubspot_wins' | 'salesforce_wins' | 'last_write_wins' | 'prefer_non_blank';

export interface SideRecord {
  values: Values;
  /** Epoch ms of the record's last modification on its side. */
  modifiedAt: number;
}

export interface SnapshotValues {
  hubspot: Values;
  salesforce: Values;
}

export interface Mappers {
  /** HubSpot values → the Salesforce values they map to (fields flowing to Salesforce). */
  toSalesforce(values: Values): Values;
  /** Salesforce values → the HubSpot values they map to (fields flowing to HubSpot). */
  toHubSpot(values: Values): Values;
}

export interface Conflict {
  field: string;
  rule: ConflictRule;
  winner: Side;
  sourceValue: string | null;
  targetValue: string | null;
}

export interface RecordPlan {
  /** Target-side values to write (all mapped values when the target is to be created). */
  writeTarget: Values;
  /** Source-side values to write back where the target won a conflict. */
  writeSource: Values;
  conflicts: Conflict[];
  /** The snapshot to store once the writes succeeded. */
  snapshot: SnapshotValues;
}

export function sourceSideOf(direction: Direction): Side {
  return direction === 'to_salesforce' ? 'hubspot' : 'salesforce';
}
export function targetSideOf(direction: Direction): Side {
  return direction === 'to_salesforce' ? 'salesforce' : 'hubspot';
}

/** The mapping entry that writes `targetField` in `direction` (split and joined fields included). */
function entryFor(mapping: ObjectMapping, direction: Direction, targetField: string) {
  const side = targetSideOf(direction);
  return mapping.fields.find((f) => namesOn(f, side).some((n) => n.toLowerCase() === targetField.toLowerCase()));
}

function winnerOf(
  rule: ConflictRule,
  direction: Direction,
  source: SideRecord,
  target: SideRecord,
  sourceValue: string | null,
  targetValue: string | null,
): Side {
  const src = sourceSideOf(direction);
  const tgt = targetSideOf(direction);
  switch (rule) {
    case 'hubspot_wins':
      return 'hubspot';
    case 'salesforce_wins':
      return 'salesforce';
    case 'prefer_non_blank':
      if (isBlank(sourceValue) && !isBlank(targetValue)) return tgt;
      if (isBlank(targetValue) && !isBlank(sourceValue)) return src;
      return source.modifiedAt >= target.modifiedAt ? src : tgt;
    case 'last_write_wins':
      // Ties go to the record being read, so the outcome never depends on cycle order alone.
      return source.modifiedAt >= target.modifiedAt ? src : tgt;
  }
}

export function planRecord(
  mapping: ObjectMapping,
  mappers: Mappers,
  direction: Direction,
  source: SideRecord,
  target: SideRecord | undefined,
  snapshot: SnapshotValues | undefined,
): RecordPlan {
  const src = sourceSideOf(direction);
  const tgt = targetSideOf(direction);
  const forward = (v: Values) => (direction === 'to_salesforce' ? mappers.toSalesforce(v) : mappers.toHubSpot(v));
  const backward = (v: Values) => (direction === 'to_salesforce' ? mappers.toHubSpot(v) : mappers.toSalesforce(v));

  const mapped = forward(source.values);
  const writeTarget: Values = {};
  const writeSource: Values = {};
  const conflicts: Conflict[] = [];

  if (!target) {
    for (const [k, v] of Object.entries(mapped)) if (v !== null) writeTarget[k] = v;
    // A new record always carries the match key, even where that field flows the other way only,
    // or the next cycle could not find it and would create it again.
    const [srcKey, tgtKey] =
      src === 'hubspot'
        ? [mapping.match.hubspot, mapping.match.salesforce]
        : [mapping.match.salesforce, mapping.match.hubspot];
    const key = source.values[srcKey];
    if (!(tgtKey in writeTarget) && key !== null && key !== undefined && key.trim() !== '')
      writeTarget[tgtKey] = key.trim();
    return { writeTarget, writeSource, conflicts, snapshot: sides(src, source.values, mapped) };
  }

  const before = snapshot ? forward(snapshot[src]) : undefined;
  const reversed = backward(target.values);
  // The target side of the next snapshot: a field's old snapshot value is kept when the
  // target changed it and that change has not flowed back yet, so the target's own cycle
  // still sees it as a change.
  const targetSnapshot: Values = { ...(snapshot?.[tgt] ?? {}) };
  for (const [field, value] of Object.entries(mapped)) {
    const current = target.values[field] ?? null;
    if (current === value) {
      targetSnapshot[field] = current;
      continue;
    }
    const entry = entryFor(mapping, direction, field);
    if (!entry || entry.direction !== 'both') {
      // One-way field: the source owns it, whatever the target did.
      writeTarget[field] = value;
      targetSnapshot[field] = value;
      continue;
    }
    const sourceChanged = before === undefined || (before[field] ?? null) !== value;
    if (!sourceChanged) continue;
    const targetChanged = snapshot ? (snapshot[tgt][field] ?? null) !== current : !isBlank(current);
    if (!targetChanged) {
      writeTarget[field] = value;
      targetSnapshot[field] = value;
      continue;
    }
    const rule = entry.conflict ?? 'last_write_wins';
    const winner = winnerOf(rule, direction, source, target, value, current);
    conflicts.push({ field, rule, winner, sourceValue: value, targetValue: current });
    if (winner === src) {
      writeTarget[field] = value;
      targetSnapshot[field] = value;
    } else {
      // The target's value flows back now, so both sides and the snapshot agree after this cycle.
      for (const sourceField of namesOn(entry, src)) {
        const back = reversed[sourceField] ?? null;
        if ((source.values[sourceField] ?? null) !== back) writeSource[sourceField] = back;
      }
      targetSnapshot[field] = current;
    }
  }

  // Fields the target owns one way: an edit made on the source side is put back.
  const reverse: Direction = direction === 'to_salesforce' ? 'to_hubspot' : 'to_salesforce';
  for (const entry of mapping.fields) {
    if (entry.direction !== reverse) continue;
    for (const sourceField of namesOn(entry, src)) {
      const owned = reversed[sourceField] ?? null;
      if ((source.values[sourceField] ?? null) !== owned) writeSource[sourceField] = owned;
    }
    for (const targetField of namesOn(entry, tgt)) targetSnapshot[targetField] = target.values[targetField] ?? null;
  }

  const sourceAfter = { ...source.values, ...writeSource };
  return {
    writeTarget,
    writeSource,
    conflicts,
    snapshot:
      src === 'hubspot'
        ? { hubspot: sourceAfter, salesforce: targetSnapshot }
        : { hubspot: targetSnapshot, salesforce: sourceAfter },
  };
}

function sides(src: Side, sourceValues: Values, targetValues: Values): SnapshotValues {
  return src === 'hubspot'
    ? { hubspot: { ...sourceValues }, salesforce: { ...targetValues } }
    : { hubspot: { ...targetValues }, salesforce: { ...sourceValues } };
}
