import type { SearchFilterGroup } from './search';

/** MANUAL and SNAPSHOT lists take manual membership changes; DYNAMIC ones are filter-driven. */
export type ListProcessingType = 'MANUAL' | 'SNAPSHOT' | 'DYNAMIC';

export interface ListRecord {
  listId: string;
  name: string;
  objectTypeId: string;
  processingType: ListProcessingType;
  createdAt: number;
  updatedAt: number;
  listVersion: number;
  deletedAt?: number;
  /**
   * A DYNAMIC list's criteria, in CRM-search form (HubSpot's `filterBranch` is richer; the
   * sandbox keeps the part a suppression property needs). Members follow every write.
   */
  filterGroups?: SearchFilterGroup[];
}

export interface MembershipChange {
  recordsIdsAdded: string[];
  recordIdsRemoved: string[];
  recordIdsMissing: string[];
}

/** Lists (HubSpot's segments) and their memberships: list id → record id → time added. */
export class ListStore {
  private readonly lists = new Map<string, ListRecord>();
  private readonly members = new Map<string, Map<string, number>>();

  constructor(private readonly changed: () => void) {}

  add(list: ListRecord): void {
    this.lists.set(list.listId, list);
    if (!this.members.has(list.listId)) this.members.set(list.listId, new Map());
    this.changed();
  }

  get(listId: string): ListRecord | undefined {
    const l = this.lists.get(listId);
    return l && l.deletedAt === undefined ? l : undefined;
  }

  all(): ListRecord[] {
    return [...this.lists.values()].filter((l) => l.deletedAt === undefined);
  }

  size(listId: string): number {
    return this.members.get(listId)?.size ?? 0;
  }

  /** Members in record-id order, as HubSpot pages them. */
  memberships(listId: string): [recordId: string, addedAt: number][] {
    return [...(this.members.get(listId) ?? new Map<string, number>()).entries()].sort(
      (a, b) => Number(a[0]) - Number(b[0]),
    );
  }

  /** The lists a record belongs to, with the time it was added. */
  listsOf(recordId: string): { list: ListRecord; addedAt: number }[] {
    const found: { list: ListRecord; addedAt: number }[] = [];
    for (const [listId, m] of this.members) {
      const at = m.get(recordId);
      const list = this.get(listId);
      if (at !== undefined && list) found.push({ list, addedAt: at });
    }
    return found;
  }

  /**
   * `exists` says whether a record id names a live record of the list's object type;
   * others are reported as missing rather than added.
   */
  addMembers(
    listId: string,
    recordIds: readonly string[],
    exists: (id: string) => boolean,
    now: number,
  ): MembershipChange {
    const m = this.members.get(listId) ?? new Map<string, number>();
    this.members.set(listId, m);
    const result: MembershipChange = { recordsIdsAdded: [], recordIdsRemoved: [], recordIdsMissing: [] };
    for (const id of new Set(recordIds)) {
      if (!exists(id)) result.recordIdsMissing.push(id);
      else if (!m.has(id)) {
        m.set(id, now);
        result.recordsIdsAdded.push(id);
      }
    }
    this.touch(listId, now, result.recordsIdsAdded.length > 0);
    return result;
  }

  removeMembers(
    listId: string,
    recordIds: readonly string[],
    exists: (id: string) => boolean,
    now: number,
  ): MembershipChange {
    const m = this.members.get(listId);
    const result: MembershipChange = { recordsIdsAdded: [], recordIdsRemoved: [], recordIdsMissing: [] };
    for (const id of new Set(recordIds)) {
      if (m?.delete(id)) result.recordIdsRemoved.push(id);
      else if (!exists(id)) result.recordIdsMissing.push(id);
    }
    this.touch(listId, now, result.recordIdsRemoved.length > 0);
    return result;
  }

  /** Puts a record in or out of a list (DYNAMIC lists, by their filters). Returns whether anything changed. */
  setMember(listId: string, recordId: string, member: boolean, at: number): boolean {
    const m = this.members.get(listId);
    if (!m || m.has(recordId) === member) return false;
    if (member) m.set(recordId, at);
    else m.delete(recordId);
    this.touch(listId, at, true);
    return true;
  }

  /** A deleted record leaves every list of its object type, as in HubSpot. */
  removeEverywhere(recordId: string, objectTypeId: string): void {
    let any = false;
    for (const [listId, m] of this.members) {
      if (this.lists.get(listId)?.objectTypeId === objectTypeId) any = m.delete(recordId) || any;
    }
    if (any) this.changed();
  }

  /** The id a new list gets: HubSpot's list ids are numeric strings that only grow. */
  nextId(): string {
    let max = 0;
    for (const id of this.lists.keys()) max = Math.max(max, Number(id) || 0);
    return String(max + 1);
  }

  /** Deleted lists keep their members, so a restore brings them back (HubSpot keeps them 90 days). */
  remove(listId: string, now: number): boolean {
    const list = this.get(listId);
    if (!list) return false;
    list.deletedAt = now;
    list.updatedAt = now;
    this.changed();
    return true;
  }

  /** A list by id even when deleted, for restore. */
  getIncludingDeleted(listId: string): ListRecord | undefined {
    return this.lists.get(listId);
  }

  restore(listId: string, now: number): boolean {
    const list = this.lists.get(listId);
    if (!list || list.deletedAt === undefined) return false;
    delete list.deletedAt;
    list.updatedAt = now;
    this.changed();
    return true;
  }

  clear(): void {
    this.lists.clear();
    this.members.clear();
  }

  load(
    lists: readonly ListRecord[],
    memberships: Readonly<Record<string, readonly (readonly [string, number])[]>>,
  ): void {
    this.clear();
    for (const l of lists) {
      this.lists.set(l.listId, { ...l });
      this.members.set(l.listId, new Map(memberships[l.listId] ?? []));
    }
  }

  toJSON(): { lists: ListRecord[]; memberships: Record<string, [string, number][]> } {
    const memberships: Record<string, [string, number][]> = {};
    for (const listId of this.lists.keys()) memberships[listId] = this.memberships(listId);
    return { lists: [...this.lists.values()], memberships };
  }

  private touch(listId: string, now: number, modified: boolean): void {
    const list = this.lists.get(listId);
    if (!modified || !list) return;
    list.updatedAt = now;
    this.changed();
  }
}
