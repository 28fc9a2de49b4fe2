/**
 * HubSpot's search index trails writes: for a few seconds after a change, CRM search still
 * answers from the record as it was (a new record is missing, a deleted one still found,
 * an updated one matches and shows its old values). This keeps that lagging copy.
 * (CRM_API_NOTES.md: "New or changed records show up in search after a lag (seconds)".)
 *
 * Only the search route reads it, through `searchIndexView` (hubspot.ts); reads by id and
 * batch reads stay immediately consistent, as they are on HubSpot.
 */
import type { HubSpotState } from '../hubspot/state';
import type { ChangeEvent, CrmObjectType, CrmRecord } from '../hubspot/store';

interface Pending {
  type: CrmObjectType;
  id: string;
  /** Order of the changes: a version never replaces a later one that showed up first. */
  seq: number;
  visibleAt: number;
  /** The record as of the change; undefined: gone from the index. */
  record: CrmRecord | undefined;
}

/** A copy that later writes to the live record do not reach. */
function snapshot(record: CrmRecord): CrmRecord {
  const properties = Object.assign(Object.create(null) as Record<string, string>, record.properties);
  return { ...record, properties };
}

export class LaggingSearchIndex {
  private readonly indexed = new Map<CrmObjectType, Map<string, CrmRecord>>();
  /** Per type, the indexed records in id order; rebuilt after a change becomes visible. */
  private readonly ordered = new Map<CrmObjectType, CrmRecord[]>();
  private pending: Pending[] = [];
  private seq = 0;
  /** Per `type:id`, the seq of the version the index holds. */
  private readonly applied = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly state: HubSpotState,
    readonly lagMs: number,
    /**
     * Extra lag per change, uniform in [0, jitterMs]: with it, a later change can show up
     * before an earlier one, as on HubSpot, which is what breaks a naive high-watermark.
     */
    readonly jitterMs = 0,
    private readonly random: () => number = Math.random,
  ) {
    this.rebuild();
    this.unsubscribe = state.onChange((e) => this.onChange(e));
  }

  dispose(): void {
    this.unsubscribe();
  }

  /** The records search sees now, active ones only, in ascending id order. */
  view(type: CrmObjectType): readonly CrmRecord[] {
    this.flush(this.state.now());
    let list = this.ordered.get(type);
    if (!list) {
      list = [...(this.indexed.get(type)?.values() ?? [])].sort((a, b) => Number(a.id) - Number(b.id));
      this.ordered.set(type, list);
    }
    return list;
  }

  /** Everything as it is now, nothing pending (the state was loaded or reset). */
  rebuild(): void {
    this.indexed.clear();
    this.ordered.clear();
    this.pending = [];
    this.applied.clear();
    for (const [type, store] of Object.entries(this.state.objects) as [
      CrmObjectType,
      HubSpotState['objects'][CrmObjectType],
    ][]) {
      const records = new Map<string, CrmRecord>();
      for (const r of store.active()) records.set(r.id, snapshot(r));
      this.indexed.set(type, records);
    }
  }

  private onChange(e: ChangeEvent): void {
    if (e.kind === 'reset') return this.rebuild();
    if (e.kind !== 'created' && e.kind !== 'updated' && e.kind !== 'archived') return;
    const live = e.kind === 'archived' ? undefined : this.state.objects[e.objectType].get(e.id);
    const jitter = this.jitterMs > 0 ? Math.floor(this.random() * (this.jitterMs + 1)) : 0;
    this.pending.push({
      type: e.objectType,
      id: e.id,
      seq: ++this.seq,
      visibleAt: e.at + this.lagMs + jitter,
      record: live && !live.archived ? snapshot(live) : undefined,
    });
  }

  private flush(now: number): void {
    if (this.pending.length === 0) return;
    const later: Pending[] = [];
    for (const p of this.pending) {
      if (p.visibleAt > now) {
        later.push(p);
        continue;
      }
      const key = `${p.type}:${p.id}`;
      if ((this.applied.get(key) ?? 0) > p.seq) continue;
      this.applied.set(key, p.seq);
      let records = this.indexed.get(p.type);
      if (!records) {
        records = new Map();
        this.indexed.set(p.type, records);
      }
      if (p.record) records.set(p.id, p.record);
      else records.delete(p.id);
      this.ordered.delete(p.type);
    }
    this.pending = later;
  }
}
