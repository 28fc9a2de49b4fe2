import type { ObjectMapping } from '../config/mapping-file';
import type { DeletionCursor } from '../crm/side';
import { sourceSideOf, type Side } from '../mapping/sync-plan';
import type { Store } from '../store';
import type { SyncSides } from './sides';
import type { DirectionCursor, HubSpotCursor, SalesforceCursor, SyncDirection } from './types';

/**
 * Where the reading of each side stands, stored by name. A direction's change cursor is
 * named after the side it reads (`contact:hubspot`), its deletions have one of their own
 * (`contact:hubspot:deleted`). A change cursor is saved only after its page's records were
 * written or recorded as errors, so it never moves past a record that got neither.
 */
export function cursorName(mapping: string, direction: SyncDirection): string {
  return `${mapping}:${sourceSideOf(direction)}`;
}

export function deletionCursorName(mapping: string, side: Side): string {
  return `${mapping}:${side}:deleted`;
}

/** Whether any field of the mapping flows this way; a direction without one is never read. */
export function flowsTo(mapping: ObjectMapping, direction: SyncDirection): boolean {
  return mapping.fields.some((f) => f.direction === 'both' || f.direction === direction);
}

/** Where a direction's reading stands (its side's first position if never read); null when nothing flows that way. */
export async function readPosition(
  store: Store,
  sides: SyncSides,
  mapping: ObjectMapping,
  direction: SyncDirection,
): Promise<DirectionCursor | null> {
  if (!flowsTo(mapping, direction)) return null;
  const name = cursorName(mapping.name, direction);
  if (direction === 'to_salesforce')
    return { direction, cursor: (await store.cursors.get<HubSpotCursor>(name)) ?? sides.hubspot.initialCursor() };
  return { direction, cursor: (await store.cursors.get<SalesforceCursor>(name)) ?? sides.salesforce.initialCursor() };
}

export async function savePosition(store: Store, mapping: string, position: DirectionCursor): Promise<void> {
  await store.cursors.set(cursorName(mapping, position.direction), position.cursor);
}

export async function readDeletionCursor(store: Store, mapping: string, side: Side): Promise<DeletionCursor | null> {
  return store.cursors.get<DeletionCursor>(deletionCursorName(mapping, side));
}

export async function saveDeletionCursor(
  store: Store,
  mapping: string,
  side: Side,
  next: DeletionCursor,
): Promise<void> {
  await store.cursors.set(deletionCursorName(mapping, side), next);
}
