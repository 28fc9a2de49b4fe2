import type { ObjectMapping } from '../config/mapping-file';
import type { Store } from '../store';
import type { SyncSides } from './run';
import type { DirectionCursor, HubSpotCursor, SalesforceCursor, SyncDirection } from './types';

/** The store key of a direction's cursor: named after the side it reads. */
export function cursorName(mapping: string, direction: SyncDirection): string {
  return `${mapping}:${direction === 'to_salesforce' ? 'hubspot' : 'salesforce'}`;
}

/** Whether any field flows in this direction; a direction nothing flows in is never read. */
export function flowsIn(mapping: ObjectMapping, direction: SyncDirection): boolean {
  return mapping.fields.some((f) => f.direction === 'both' || f.direction === direction);
}

/** Where a direction's reading stands: its stored cursor, or the side's start. */
export async function readPosition(
  store: Store,
  sides: SyncSides,
  mapping: ObjectMapping,
  direction: SyncDirection,
): Promise<DirectionCursor> {
  const name = cursorName(mapping.name, direction);
  return direction === 'to_salesforce'
    ? { direction, cursor: (await store.cursors.get<HubSpotCursor>(name)) ?? sides.hubspot.initialCursor() }
    : { direction, cursor: (await store.cursors.get<SalesforceCursor>(name)) ?? sides.salesforce.initialCursor() };
}

/** Moves a direction's cursor past a page whose every record was written or recorded as an error. */
export async function savePosition(store: Store, mapping: ObjectMapping, position: DirectionCursor): Promise<void> {
  await store.cursors.set(cursorName(mapping.name, position.direction), position.cursor);
}
