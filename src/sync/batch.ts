import type { SideRecord } from '../crm/side';
import { deletePolicyOf, followsLeadConversion } from '../mapping/lifecycle';
import { planRecord, sourceSideOf, targetSideOf, type RecordPlan, type Side } from '../mapping/sync-plan';
import { normaliseMatchKey } from '../mapping/transform';
import { applyDeletions } from './deletions';
import { findLinks, idOn, partnerOf } from './links';
import { MERGED_INTO_LINKED, takeOverMergedLinks } from './merges';
import type { SyncRun } from './run-context';
import { recordName, targetOf } from './sides';
import { addCounts, ZERO_COUNTS, type PageCounts, type SyncDirection } from './types';
import { BatchWrites, CONVERTED_LEAD_ERROR, convertedLeadReason, CreationClaim, Rejections } from './writes';

/** One record of a batch on its way: read on its source side, linked or matched to a target, planned. */
export interface Item {
  source: SideRecord;
  targetId?: string;
  linked: boolean;
  plan?: RecordPlan;
}

export type Planned = Item & { plan: RecordPlan };

/** A HubSpot contact whose Lead turned out converted: it carries on with the Contact. */
export interface Diverted {
  source: SideRecord;
  leadId: string;
  /** Unknown when only a refused write told us (the Lead is read again for it). */
  contactId?: string;
}

export interface BatchResult {
  counts: PageCounts;
  /** Only under `lead_conversion: follow`: records that go on with the Contact their Lead became (see conversions.ts). */
  diverted: Diverted[];
}

/**
 * The page engine for one Salesforce object: link or match → read the other side → plan
 * each record against its snapshot → write in full batches → persist links, snapshots and
 * errors. Every record ends written, unchanged, diverted or in sync_errors. `assumed` adds
 * links a dry run would have made (a followed conversion), so the preview plans against
 * them. `resync: false` for the second pass over records whose partner was merged away.
 */
export function syncBatch(
  run: SyncRun,
  direction: SyncDirection,
  records: SideRecord[],
  assumed?: Map<string, string>,
  resync = true,
): Promise<BatchResult> {
  return new Batch(run, direction).sync(records, assumed, resync);
}

const isPlanned = (i: Item): i is Planned => i.plan !== undefined;
const writesTarget = (i: Planned) => Object.keys(i.plan.writeTarget).length > 0;

class Batch {
  private readonly counts: PageCounts = { ...ZERO_COUNTS };
  private readonly diverted: Diverted[] = [];
  private readonly rejections: Rejections;
  private readonly from: Side;
  private readonly to: Side;
  /** The field records are matched on, on the source side. */
  private readonly matchField: string;
  private readonly salesforceName: string;

  constructor(
    private readonly run: SyncRun,
    private readonly direction: SyncDirection,
  ) {
    this.rejections = new Rejections(run, direction);
    this.from = sourceSideOf(direction);
    this.to = targetSideOf(direction);
    this.matchField = this.from === 'hubspot' ? run.mapping.match.hubspot : run.mapping.match.salesforce;
    this.salesforceName = `Salesforce ${run.mapping.salesforce.object}`;
  }

  async sync(records: SideRecord[], assumed: Map<string, string> | undefined, resync: boolean): Promise<BatchResult> {
    this.counts.read = records.length;
    if (records.length === 0) return this.result();

    let items = await this.link(records, assumed);
    // HubSpot names what a contact absorbed in the contact itself: every record is checked,
    // linked ones too (for duplicates), at no cost.
    if (this.from === 'hubspot') await this.takeOverMerges(items);
    items = await this.withoutParked(items);
    await this.match(items);
    if (this.from === 'salesforce') await this.takeOverMerges(await this.salesforceMergeSuspects(items));
    const again = await this.settleMissingPartners(await this.plan(items));
    let planned = await this.withoutOrphans(items.filter(isPlanned));

    let toCreate = planned.filter((i) => i.targetId === undefined);
    const claim = await CreationClaim.take(this.run, this.direction, toCreate, this.rejections);
    toCreate = toCreate.filter((i) => !claim.busy.has(i));
    planned = planned.filter((i) => !claim.busy.has(i));
    const toUpdate = planned.filter((i) => i.targetId !== undefined && writesTarget(i));
    const toWriteBack = planned.filter((i) => i.targetId !== undefined && Object.keys(i.plan.writeSource).length > 0);

    if (this.run.dryRun) {
      this.tally(planned, toCreate, toUpdate, new Set());
      this.reportOutcomes(planned, toCreate, toUpdate, new Set());
      return this.result();
    }

    const writes = new BatchWrites(this.run, this.direction, this.rejections, this.diverted);
    await writes.create(toCreate);
    await claim.release(toCreate);
    await writes.update(toUpdate);
    await writes.writeBack(toWriteBack);
    this.tally(planned, toCreate, toUpdate, writes.failed);
    await writes.save(planned, toCreate);
    this.reportOutcomes(planned, toCreate, toUpdate, writes.failed);

    if (again.length > 0 && resync) {
      // Records whose partner was merged away: written to the survivor now that they are linked to it.
      const more = await syncBatch(this.run, this.direction, again, undefined, false);
      addCounts(this.counts, { ...more.counts, read: 0 });
      this.diverted.push(...more.diverted);
    }
    return this.result();
  }

  private result(): BatchResult {
    return { counts: this.counts, diverted: this.diverted };
  }

  /** Each record with its link; one without a link and without a match key cannot be synced. */
  private async link(records: SideRecord[], assumed: Map<string, string> | undefined): Promise<Item[]> {
    const { store, mapping } = this.run;
    const links = await findLinks(
      store,
      mapping.name,
      this.from,
      records.map((r) => r.id),
    );
    const linkOf = new Map(links.map((l) => [idOn(l, this.from), partnerOf(l, this.from)]));
    for (const [from, to] of assumed ?? []) linkOf.set(from, to);
    const items: Item[] = [];
    for (const r of records) {
      const linked = linkOf.get(r.id);
      if (linked === undefined && normaliseMatchKey(mapping, r.values[this.matchField]) === null) {
        this.rejections.add(
          r.id,
          'MISSING_MATCH_KEY',
          `${recordName(this.from, r.id, mapping.salesforce.object)} has no ${this.matchField}; Baton matches records on it, so it cannot be synced until it has one`,
          r.values,
        );
        continue;
      }
      items.push({ source: r, targetId: linked, linked: linked !== undefined });
    }
    return items;
  }

  /** A record that absorbed a linked one in a merge takes over its link, so the merge's survivor is not created afresh. */
  private async takeOverMerges(candidates: Item[]): Promise<void> {
    const partners = await takeOverMergedLinks(
      this.run,
      this.from,
      candidates.map((i) => i.source),
    );
    for (const i of candidates) {
      const partner = partners.get(i.source.id);
      if (partner !== undefined && !i.linked) Object.assign(i, { targetId: partner, linked: true });
    }
  }

  /**
   * Salesforce needs a query to tell what a record absorbed, spent only on records that would
   * be created and were changed after their creation (a merge changes its survivor; a new
   * record, the bulk of what is created, was not, and costs no query), and on those matched
   * to a contact linked to another record (typically the one merged into them): following
   * the merge keeps the pair's snapshot, where linking by the match would start over without one.
   */
  private async salesforceMergeSuspects(items: Item[]): Promise<Item[]> {
    const matched = items.filter((i) => !i.linked && i.targetId !== undefined);
    const linkedElsewhere = new Set(
      matched.length > 0
        ? (
            await this.run.store.links.findByHubSpotIds(
              this.run.mapping.name,
              matched.map((i) => i.targetId as string),
            )
          ).map((l) => l.hubspotId)
        : [],
    );
    const changedSinceCreated = (i: Item) =>
      i.source.createdAt === undefined || i.source.modifiedAt > i.source.createdAt;
    return items.filter(
      (i) => !i.linked && (i.targetId === undefined ? changedSinceCreated(i) : linkedElsewhere.has(i.targetId)),
    );
  }

  /**
   * A record left without a link because a merge showed it a duplicate waits for RevOps to
   * merge it: matched, it would share a partner with its duplicate; created, it would bring
   * back the record that was merged away.
   */
  private async withoutParked(items: Item[]): Promise<Item[]> {
    const waiting = items.filter((i) => !i.linked);
    const parked =
      waiting.length > 0
        ? await this.run.store.syncErrors.findUnresolved(
            this.run.mapping.name,
            this.direction,
            waiting.map((i) => i.source.id),
            MERGED_INTO_LINKED,
          )
        : new Set<string>();
    const skipped = waiting.filter((w) => parked.has(w.source.id));
    this.skip(
      skipped,
      `it is a duplicate Baton asked RevOps to merge (${MERGED_INTO_LINKED} in baton sync errors); it is not synced until then`,
    );
    return items.filter((i) => !skipped.includes(i));
  }

  /** Link or match before any create, so a record that already exists is never duplicated. */
  private async match(items: Item[]): Promise<void> {
    const unmatched = items.filter((i) => !i.linked);
    if (unmatched.length === 0) return;
    const { sides, mapping } = this.run;
    this.run.heartbeat('matching');
    const keyOf = (i: Item) => normaliseMatchKey(mapping, i.source.values[this.matchField]) as string;
    const found = await targetOf(sides, this.direction).findByMatchKey(mapping, unmatched.map(keyOf));
    for (const i of unmatched) i.targetId = found.get(keyOf(i));
  }

  /**
   * Plans each record against its partner and the snapshot of the pair. Returns the linked
   * records whose partner is gone; a converted Lead's record is diverted to its Contact
   * (lead_conversion: follow) or rejected if it would write to the Lead.
   */
  private async plan(items: Item[]): Promise<Item[]> {
    const { store, sides, mapping, mappers } = this.run;
    this.run.heartbeat('reading the other side');
    const targetIds = items.flatMap((i) => (i.targetId ? [i.targetId] : []));
    const current =
      targetIds.length > 0
        ? await targetOf(sides, this.direction).fetch(mapping, targetIds)
        : new Map<string, SideRecord>();
    const hubspotIds = items.flatMap((i) => {
      const h = this.hubspotIdOf(i);
      return h ? [h] : [];
    });
    const snapshots = await store.links.getSnapshots(mapping.name, hubspotIds);

    const follow = followsLeadConversion(mapping);
    const missing: Item[] = [];
    for (const item of items) {
      const targetRecord = item.targetId ? current.get(item.targetId) : undefined;
      if (item.linked && !targetRecord) {
        missing.push(item);
        continue;
      }
      if (!targetRecord) item.targetId = undefined;
      let convertedInto: string | undefined;
      if (targetRecord?.convertedTo !== undefined && item.targetId !== undefined) {
        if (follow) {
          this.diverted.push({ source: item.source, leadId: item.targetId, contactId: targetRecord.convertedTo });
          continue;
        }
        convertedInto = targetRecord.convertedTo;
      }
      const hubspotId = this.hubspotIdOf(item);
      const snapshot = hubspotId && item.linked ? snapshots.get(hubspotId) : undefined;
      try {
        item.plan = planRecord(mapping, mappers, this.direction, item.source, targetRecord, snapshot);
      } catch (err) {
        // A value the mapping cannot convert (an unmapped picklist value with policy "error", a bad date, …).
        this.rejections.add(
          item.source.id,
          'MAPPING_FAILED',
          err instanceof Error ? err.message : String(err),
          item.source.values,
        );
        continue;
      }
      if (convertedInto !== undefined && Object.keys(item.plan.writeTarget).length > 0) {
        this.rejections.add(
          item.source.id,
          CONVERTED_LEAD_ERROR,
          convertedLeadReason(mapping, item.targetId as string, convertedInto),
          item.plan.writeTarget,
          false,
        );
        item.plan = undefined;
        continue;
      }
      this.counts.conflicts += item.plan.conflicts.length;
    }
    return missing;
  }

  /**
   * A linked partner that is gone: a partner merged into another record is followed first,
   * under every policy; then the mapping's deletion policy for its side decides. Returns the
   * records to write again to the survivor of their partner's merge.
   */
  private async settleMissingPartners(missing: Item[]): Promise<SideRecord[]> {
    const again: SideRecord[] = [];
    if (missing.length === 0) return again;
    const partner = this.direction === 'to_salesforce' ? this.salesforceName : 'HubSpot contact';
    const targetMissing = (item: Item, why: string) =>
      this.rejections.add(
        item.source.id,
        'TARGET_MISSING',
        `the linked ${partner} ${item.targetId} no longer exists (${why}); Baton does not re-create it`,
        item.source.values,
      );
    const ignore = deletePolicyOf(this.run.mapping, this.to) === 'ignore';
    const { failed, unconfirmed, moved, merged } = await applyDeletions(
      this.run,
      this.to,
      missing.map((i) => i.targetId as string),
      { confirm: true },
    );
    for (const item of missing) {
      const id = item.targetId as string;
      if (moved.has(id) && !this.run.dryRun) again.push(item.source);
      else if (moved.has(id) || merged.has(id)) this.counts.unchanged += 1;
      else if (unconfirmed.has(id))
        targetMissing(item, 'not found, yet neither archived nor merged into another contact');
      else if (ignore) targetMissing(item, 'deleted or archived; on_delete: ignore');
      else if (failed.has(id)) this.counts.rejected += 1;
      else this.counts.unchanged += 1;
    }
    return again;
  }

  /** A record whose partner was deleted under clear_link gets no new one: only a match links it again. */
  private async withoutOrphans(planned: Planned[]): Promise<Planned[]> {
    const { store, mapping } = this.run;
    const wouldCreate = planned.filter((i) => i.targetId === undefined);
    const orphans =
      wouldCreate.length > 0
        ? await store.links.findOrphans(
            mapping.name,
            this.from,
            wouldCreate.map((i) => i.source.id),
          )
        : new Set<string>();
    const skipped = wouldCreate.filter((i) => orphans.has(i.source.id));
    const gone = this.to === 'hubspot' ? 'HubSpot contact was archived' : `${this.salesforceName} was deleted`;
    const matchedOn = this.to === 'hubspot' ? mapping.match.hubspot : mapping.match.salesforce;
    this.skip(
      skipped,
      `its linked ${gone} (on_delete: clear_link), so Baton does not create a new one; one that appears with the same ${matchedOn} is linked`,
    );
    return planned.filter((i) => !skipped.includes(i));
  }

  /** Records left out of this sync on purpose: unchanged, with the reason for a report. */
  private skip(items: Item[], reason: string): void {
    this.counts.unchanged += items.length;
    for (const i of items)
      this.run.report({
        direction: this.direction,
        sourceId: i.source.id,
        action: 'skip',
        fields: {},
        writtenBack: {},
        reason,
      });
  }

  /** `failed` is empty in a dry run, which counts what it would write. */
  private tally(planned: Planned[], toCreate: Planned[], toUpdate: Planned[], failed: ReadonlySet<Item>): void {
    this.counts.created = toCreate.filter((i) => !failed.has(i)).length;
    this.counts.updated = toUpdate.filter((i) => !failed.has(i)).length;
    this.counts.unchanged += planned.length - toCreate.length - toUpdate.length;
    this.counts.rejected += this.rejections.size;
  }

  private reportOutcomes(planned: Planned[], toCreate: Planned[], toUpdate: Planned[], failed: ReadonlySet<Item>) {
    for (const i of planned) {
      if (failed.has(i)) continue;
      this.run.report({
        direction: this.direction,
        sourceId: i.source.id,
        targetId: i.targetId,
        action: toCreate.includes(i) ? 'create' : toUpdate.includes(i) ? 'update' : 'unchanged',
        fields: i.plan.writeTarget,
        writtenBack: i.plan.writeSource,
      });
    }
    this.rejections.report();
  }

  private hubspotIdOf(item: Item): string | undefined {
    return this.from === 'hubspot' ? item.source.id : item.targetId;
  }
}
