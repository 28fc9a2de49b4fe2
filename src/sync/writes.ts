import type { ObjectMapping } from '../config/mapping-file';
import type { WriteResult } from '../crm/side';
import { followsLeadConversion } from '../mapping/lifecycle';
import type { Values } from '../mapping/transform';
import { CREATION_CLAIM_TTL_MS, type RecordLinkInput, type SnapshotInput, type SyncErrorInput } from '../store';
import type { Diverted, Item, Planned } from './batch';
import type { SyncRun } from './run-context';
import { sourceOf, targetOf } from './sides';
import type { PageCounts, SyncDirection } from './types';

/** Salesforce's error for any write to a converted Lead, which is read-only from then on. */
export const CONVERTED_LEAD_ERROR = 'CANNOT_UPDATE_CONVERTED_LEAD';

/** Why a write to a converted Lead is given up: only a mapping that follows conversions carries on with the Contact. */
export function convertedLeadReason(mapping: ObjectMapping, leadId: string, contactId?: string): string {
  return (
    `Salesforce Lead ${leadId} was converted${contactId ? ` into Contact ${contactId}` : ''} and refuses changes from then on, so Baton does not retry; ` +
    `set lead_conversion: follow in ${mapping.file} to sync this contact with the Contact instead`
  );
}

/**
 * The records of one direction that could not be synced, each with the reason. They end in
 * sync_errors (retried later with backoff, unless no retry can help), so they never hold up
 * the cursor nor the rest of their batch.
 */
export class Rejections {
  private readonly errors: SyncErrorInput[] = [];

  constructor(
    private readonly run: SyncRun,
    readonly direction: SyncDirection,
  ) {}

  get size(): number {
    return this.errors.length;
  }

  /** `retry: false` for a refusal that no retry can fix: stored as given up at once. */
  add(sourceId: string, code: string | null, reason: string, payload: Values = {}, retry = true): void {
    this.errors.push({
      mapping: this.run.mapping.name,
      direction: this.direction,
      sourceId,
      errorCode: code,
      reason,
      payload,
      ...(retry ? {} : { retry: false }),
    });
  }

  /** Into sync_errors, unless this is a dry run. */
  async record(): Promise<void> {
    if (this.errors.length > 0 && !this.run.dryRun) await this.run.store.syncErrors.record(this.errors);
  }

  report(): void {
    for (const e of this.errors)
      this.run.report({
        direction: this.direction,
        sourceId: e.sourceId,
        action: 'rejected',
        fields: {},
        writtenBack: {},
        reason: e.reason,
      });
  }

  /** Counted, recorded and reported at once, for rejections made outside a batch. */
  async settle(counts: PageCounts): Promise<void> {
    counts.rejected += this.errors.length;
    await this.record();
    this.report();
  }
}

/** The link of a record and its partner, whichever side the record was read from. */
export function linkInput(mapping: ObjectMapping, direction: SyncDirection, item: Item): RecordLinkInput {
  const [hubspotId, salesforceId] =
    direction === 'to_salesforce' ? [item.source.id, item.targetId] : [item.targetId, item.source.id];
  return {
    mapping: mapping.name,
    hubspotId: hubspotId as string,
    salesforceObject: mapping.salesforce.object,
    salesforceId: salesforceId as string,
  };
}

/**
 * A handover may be creating the same contact's Lead right now: whoever holds the claim
 * creates; a record claimed by someone else is retried with the sync errors, once linked.
 * Only HubSpot → Salesforce creations are claimed (a handover creates nothing in HubSpot),
 * and a dry run creates nothing to claim.
 */
export class CreationClaim {
  private constructor(
    private readonly run: SyncRun,
    private readonly holder: string | null,
    /** Records someone else is creating: rejected, and not to be created here. */
    readonly busy: ReadonlySet<Item>,
  ) {}

  static async take(
    run: SyncRun,
    direction: SyncDirection,
    toCreate: Planned[],
    rejections: Rejections,
  ): Promise<CreationClaim> {
    if (run.dryRun || direction !== 'to_salesforce' || toCreate.length === 0)
      return new CreationClaim(run, null, new Set());
    const { store, mapping } = run;
    const holder = run.host.creator();
    const claimed = await store.claims.claim(
      mapping.name,
      toCreate.map((i) => i.source.id),
      holder,
      CREATION_CLAIM_TTL_MS,
    );
    // Linked between our read and our claim (the other creator finished): not ours to create either.
    const linkedNow = new Set((await store.links.findByHubSpotIds(mapping.name, [...claimed])).map((l) => l.hubspotId));
    const busy = toCreate.filter((i) => !claimed.has(i.source.id) || linkedNow.has(i.source.id));
    for (const item of busy) {
      rejections.add(
        item.source.id,
        'CREATE_IN_PROGRESS',
        `a handover is creating the Salesforce ${mapping.salesforce.object} of HubSpot contact ${item.source.id} at this moment; the sync writes to it on its next retry`,
        item.plan.writeTarget,
      );
    }
    return new CreationClaim(run, holder, new Set(busy));
  }

  /** Gives back the claims of the records this batch tried to create, once their links are stored. */
  async release(created: Item[]): Promise<void> {
    if (this.holder === null) return;
    await this.run.store.claims.release(
      this.run.mapping.name,
      created.map((i) => i.source.id),
      this.holder,
    );
  }
}

/**
 * The writes of one batch, each in one call of the largest batch the API takes. A record
 * the other side refuses is rejected (or, refused as a converted Lead under
 * `lead_conversion: follow`, diverted to its Contact) and never fails the others.
 */
export class BatchWrites {
  /** Records whose write was refused. */
  readonly failed = new Set<Item>();

  constructor(
    private readonly run: SyncRun,
    private readonly direction: SyncDirection,
    private readonly rejections: Rejections,
    private readonly diverted: Diverted[],
  ) {}

  /** Returns the records created; each is linked at once, so a retry of this activity updates instead of creating again. */
  async create(items: Planned[]): Promise<Planned[]> {
    const { store, sides, mapping } = this.run;
    const values = (i: Planned) => i.plan.writeTarget;
    await this.write('creating', items, values, false, () =>
      targetOf(sides, this.direction).create(mapping, items.map(values)),
    );
    const created = items.filter((i) => !this.failed.has(i));
    if (created.length > 0) await store.links.upsert(created.map((i) => linkInput(mapping, this.direction, i)));
    return created;
  }

  async update(items: Planned[]): Promise<void> {
    const { sides, mapping } = this.run;
    const values = (i: Planned) => i.plan.writeTarget;
    await this.write('updating', items, values, this.direction === 'to_salesforce', () =>
      targetOf(sides, this.direction).update(
        mapping,
        items.map((i) => ({ id: i.targetId as string, values: values(i) })),
      ),
    );
  }

  /** Fields where the other side won a conflict, written back to the record's own side. */
  async writeBack(items: Planned[]): Promise<void> {
    const { sides, mapping } = this.run;
    const values = (i: Planned) => i.plan.writeSource;
    await this.write('writing conflicts back', items, values, false, () =>
      sourceOf(sides, this.direction).update(
        mapping,
        items.map((i) => ({ id: i.source.id, values: values(i) })),
      ),
    );
  }

  /**
   * Stores what the writes leave behind: new links of matched records, the snapshot of every
   * record in step, the rejections, and the end of earlier errors of records that made it.
   */
  async save(planned: Planned[], toCreate: Planned[]): Promise<void> {
    const { store, mapping } = this.run;
    // Created records were linked as soon as they were created.
    const linkedOnCreate = new Set<Item>(toCreate);
    const newLinks: RecordLinkInput[] = [];
    const newSnapshots: SnapshotInput[] = [];
    const succeeded: string[] = [];
    for (const item of planned) {
      if (this.failed.has(item) || item.targetId === undefined) continue;
      const link = linkInput(mapping, this.direction, item);
      if (!item.linked && !linkedOnCreate.has(item)) newLinks.push(link);
      newSnapshots.push({
        mapping: mapping.name,
        hubspotId: link.hubspotId,
        hubspot: item.plan.snapshot.hubspot,
        salesforce: item.plan.snapshot.salesforce,
      });
      succeeded.push(item.source.id);
    }
    this.run.heartbeat('saving');
    if (newLinks.length > 0) await store.links.upsert(newLinks);
    if (newSnapshots.length > 0) await store.links.putSnapshots(newSnapshots);
    await this.rejections.record();
    if (succeeded.length > 0) await store.syncErrors.resolve(mapping.name, this.direction, succeeded);
  }

  /**
   * One call for the whole batch, its results in input order. `values`: what a refused
   * record's error keeps; `toLead`: the write went to a Lead, which a mapping that follows
   * conversions may divert to its Contact.
   */
  private async write(
    step: string,
    batch: Planned[],
    values: (i: Planned) => Values,
    toLead: boolean,
    call: () => Promise<WriteResult[]>,
  ): Promise<void> {
    if (batch.length === 0) return;
    this.run.heartbeat(step);
    const results = await call();
    const follow = followsLeadConversion(this.run.mapping);
    batch.forEach((item, n) => {
      const r = results[n];
      if (r?.ok) {
        if (item.targetId === undefined) item.targetId = r.id;
        return;
      }
      this.failed.add(item);
      const leadId = this.direction === 'to_salesforce' ? item.targetId : item.source.id;
      if (r && r.code === CONVERTED_LEAD_ERROR && leadId !== undefined) {
        // Converted between our read and our write.
        if (follow && toLead) this.diverted.push({ source: item.source, leadId });
        else
          this.rejections.add(
            item.source.id,
            r.code,
            convertedLeadReason(this.run.mapping, leadId),
            values(item),
            follow,
          );
        return;
      }
      this.rejections.add(
        item.source.id,
        r ? r.code : 'NO_RESULT',
        r ? r.reason : 'no result for this record',
        values(item),
      );
    });
  }
}
