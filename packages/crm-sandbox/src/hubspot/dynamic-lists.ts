/**
 * DYNAMIC ("active") lists: membership follows the list's filters on every write, the way
 * HubSpot re-evaluates active lists (immediately here; HubSpot takes seconds to minutes).
 * This is what lets a suppression property take a lead out of a running campaign.
 */
import type { ListRecord, ListStore } from './lists';
import type { PropertyRegistry } from './properties';
import { compileGroups, type ValueOf } from './search';
import type { CrmRecord, ObjectStore } from './store';

type Predicate = (valueOf: ValueOf) => boolean;

export class DynamicLists {
  private readonly compiled = new Map<string, Predicate>();

  constructor(
    private readonly lists: ListStore,
    private readonly storeFor: (objectTypeId: string) => ObjectStore | undefined,
    private readonly registryFor: (objectTypeId: string) => PropertyRegistry | undefined,
  ) {}

  /** Re-checks one record against every DYNAMIC list of its object type. */
  recordChanged(store: ObjectStore, record: CrmRecord, at: number): void {
    for (const list of this.lists.all()) {
      if (list.processingType !== 'DYNAMIC' || list.objectTypeId !== store.config.objectTypeId) continue;
      const test = this.predicate(list);
      const member = !record.archived && test((name) => record.properties[name]);
      this.lists.setMember(list.listId, record.id, member, at);
    }
  }

  /** Evaluates a whole list (new list, changed filters, loaded state). */
  rebuild(list: ListRecord, at: number): void {
    this.compiled.delete(list.listId);
    if (list.processingType !== 'DYNAMIC') return;
    const store = this.storeFor(list.objectTypeId);
    if (!store) return;
    const test = this.predicate(list);
    for (const record of store.active()) {
      this.lists.setMember(
        list.listId,
        record.id,
        test((name) => record.properties[name]),
        at,
      );
    }
  }

  clear(): void {
    this.compiled.clear();
  }

  private predicate(list: ListRecord): Predicate {
    let p = this.compiled.get(list.listId);
    if (!p) {
      const registry = this.registryFor(list.objectTypeId);
      p = compileGroups(list.filterGroups ?? [], (name) => registry?.typeOf(name));
      this.compiled.set(list.listId, p);
    }
    return p;
  }
}
