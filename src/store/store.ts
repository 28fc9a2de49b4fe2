import type { Knex } from 'knex';
import { migratorConfig } from './migrations';
import {
  chunk,
  handoverEventFromRow,
  lastByKey,
  linkFromRow,
  snapshotFromRow,
  syncErrorFromRow,
  toInt,
  toJson,
  toMs,
  type HandoverEventRow,
  type LinkRow,
  type SnapshotRow,
  type SyncErrorRow,
} from './rows';
import type {
  Dialect,
  HandoverEvent,
  HandoverEventFilter,
  HandoverEventInput,
  RecordLink,
  RecordLinkInput,
  RecordOrphan,
  Snapshot,
  SnapshotInput,
  SyncDirection,
  SyncError,
  SyncErrorBackoff,
  SyncErrorFilter,
  SyncErrorInput,
} from './types';

/**
 * Largest id list in one `whereIn` and largest row count in one multi-row INSERT. Keeps
 * every statement far below SQLite's bound-variable limit (32,766; 999 on old builds is
 * only hit by whereIn, which stays at 500) and PostgreSQL's 65,535.
 */
export const MAX_BATCH = 500;

/** How long a creation claim holds when its holder never gives it back (it died). */
export const CREATION_CLAIM_TTL_MS = 10 * 60_000;

export const DEFAULT_SYNC_ERROR_BACKOFF: SyncErrorBackoff = {
  baseDelayMs: 60_000,
  maxDelayMs: 6 * 60 * 60_000,
  maxAttempts: 12,
};

/** Delay before retrying a record that has failed `attempts` times. */
export function syncErrorRetryDelayMs(
  attempts: number,
  backoff: SyncErrorBackoff = DEFAULT_SYNC_ERROR_BACKOFF,
): number {
  const exponent = Math.max(0, attempts - 1);
  return Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** Math.min(exponent, 52));
}

export function validateBackoff(backoff: SyncErrorBackoff): SyncErrorBackoff {
  const { baseDelayMs, maxDelayMs, maxAttempts } = backoff;
  if (!Number.isSafeInteger(baseDelayMs) || baseDelayMs < 1)
    throw new RangeError('syncErrorBackoff.baseDelayMs must be a positive integer');
  if (!Number.isSafeInteger(maxDelayMs) || maxDelayMs < baseDelayMs)
    throw new RangeError('syncErrorBackoff.maxDelayMs must be an integer ≥ baseDelayMs');
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError('syncErrorBackoff.maxAttempts must be a positive integer');
  return backoff;
}

export interface Store {
  readonly knex: Knex;
  readonly dialect: Dialect;
  migrate(): Promise<void>;
  close(): Promise<void>;

  getCursor<T = unknown>(name: string): Promise<T | null>;
  setCursor(name: string, value: unknown): Promise<void>;

  findLinksByHubSpotIds(mapping: string, ids: string[]): Promise<RecordLink[]>;
  findLinksBySalesforceIds(mapping: string, ids: string[]): Promise<RecordLink[]>;
  /**
   * Conflict on (mapping, hubspotId) replaces the Salesforce side and keeps createdAt.
   * Both records stop being orphans: they have a partner again.
   */
  upsertLinks(links: RecordLinkInput[]): Promise<void>;
  /** Forgets these links and their snapshots; returns how many links were removed. */
  deleteLinks(mapping: string, hubspotIds: string[]): Promise<number>;

  /** Marks records whose partner was deleted (see RecordOrphan); a repeat replaces the partner id. */
  addOrphans(orphans: RecordOrphan[]): Promise<void>;
  /** The ids among `ids` that are orphans on `side`. */
  findOrphans(mapping: string, side: RecordOrphan['side'], ids: string[]): Promise<Set<string>>;

  /**
   * Claims the creation of these contacts' Salesforce partners for `holder` and returns the
   * ids it holds now: free ones, expired ones (older than ttlMs) and those it held already.
   * The others are being created by someone else. Atomic per id on both dialects.
   */
  claimCreations(mapping: string, hubspotIds: string[], holder: string, ttlMs: number): Promise<Set<string>>;
  /** Gives back this holder's claims (once the links are stored). */
  releaseCreations(mapping: string, hubspotIds: string[], holder: string): Promise<void>;

  /** Keyed by HubSpot id; ids without a snapshot are absent. */
  getSnapshots(mapping: string, hubspotIds: string[]): Promise<Map<string, Snapshot>>;
  /** Replaces both sides of each snapshot. The link must exist (foreign key). */
  putSnapshots(snapshots: SnapshotInput[]): Promise<void>;

  /**
   * A first failure opens an error due after baseDelayMs. A repeat of an open error adds an
   * attempt, takes the new reason and payload and pushes nextAttemptAt out exponentially;
   * at maxAttempts it becomes 'gave_up'. A failure of a resolved or given-up record reopens
   * it with attempts = 1 (a fresh change deserves a fresh schedule).
   */
  recordSyncErrors(errors: SyncErrorInput[]): Promise<void>;
  /** Newest first (by lastSeenAt). */
  listSyncErrors(filter?: SyncErrorFilter): Promise<SyncError[]>;
  /** Marks open and given-up errors of these records resolved; returns how many changed. */
  resolveSyncErrors(mapping: string, direction: SyncDirection, sourceIds: string[]): Promise<number>;
  /** The ids among `sourceIds` with an unresolved (open or given up) error of this code. */
  findUnresolvedSyncErrors(
    mapping: string,
    direction: SyncDirection,
    sourceIds: string[],
    errorCode: string,
  ): Promise<Set<string>>;
  /** Open errors with nextAttemptAt ≤ now, oldest due first. */
  dueSyncErrors(mapping: string, direction: SyncDirection, now: Date, limit: number): Promise<SyncError[]>;

  /** Events with an eventKey already stored are skipped. */
  appendHandoverEvents(events: HandoverEventInput[]): Promise<void>;
  /** Oldest first. */
  listHandoverEvents(filter?: HandoverEventFilter): Promise<HandoverEvent[]>;
  /** Per contact, its newest event of one of `types` (by occurredAt, then id); contacts with none are absent. */
  lastHandoverEvents(hubspotIds: string[], types: string[]): Promise<Map<string, HandoverEvent>>;

  /** Atomically adds one and returns the new count. */
  incrementRoutingCounter(team: string, repId: string, periodKey: string): Promise<number>;
  /** Counts per rep id for one team and period. */
  getRoutingCounts(team: string, periodKey: string): Promise<Map<string, number>>;

  /** True the first time an event id is seen, false for a redelivery. */
  recordWebhookDelivery(eventId: string): Promise<boolean>;
  /** Undoes recordWebhookDelivery for an event whose handling failed, so a redelivery is handled. */
  forgetWebhookDelivery(eventId: string): Promise<void>;
  /** Forgets deliveries received before `before`; returns how many were removed. */
  pruneWebhookDeliveries(before: Date): Promise<number>;
}

const MIGRATION_LOCK_RETRIES = 25;
const MIGRATION_LOCK_WAIT_MS = 200;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Another process sharing the SQLite file is migrating: it holds the write lock longer than
 * busy_timeout, or wrote between our transaction's first read and first write
 * (SQLITE_BUSY_SNAPSHOT, which SQLite reports at once). A retry finds nothing left to do.
 * The message checks cover a process that migrated with plain knex, without the mutex.
 */
function isSqliteMigrationRace(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as Error & { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  return /already locked|database is locked|baton_migrations(_lock)?` already exists/.test(err.message);
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

function assertLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
}

export class KnexStore implements Store {
  private readonly backoff: SyncErrorBackoff;

  constructor(
    readonly knex: Knex,
    readonly dialect: Dialect,
    private readonly clock: () => Date = () => new Date(),
    backoff: SyncErrorBackoff = DEFAULT_SYNC_ERROR_BACKOFF,
  ) {
    this.backoff = validateBackoff(backoff);
  }

  private nowMs(): number {
    return toMs(this.clock());
  }

  async migrate(): Promise<void> {
    if (this.dialect === 'postgres') {
      // Several workers may start at once. knex's own lock makes the losers fail rather
      // than wait, and does not cover creating the migrations table, so serialise on a
      // transaction-scoped advisory lock per schema first.
      await this.knex.transaction(async (trx) => {
        await trx.raw("select pg_advisory_xact_lock(hashtext('baton_migrations:' || current_schema()))");
        await this.knex.migrate.latest(migratorConfig);
      });
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.knex.transaction(async (trx) => {
          // SQLite has no advisory locks. Writing first takes the file's write lock, so a
          // second process sharing the file waits here (busy_timeout) until we commit and
          // then finds nothing to do; the migrations run on this same connection.
          await trx.raw(
            'CREATE TABLE IF NOT EXISTS baton_migrations_mutex (id INTEGER PRIMARY KEY, locked_at BIGINT NOT NULL)',
          );
          await trx.raw('INSERT OR REPLACE INTO baton_migrations_mutex (id, locked_at) VALUES (1, ?)', [Date.now()]);
          await trx.migrate.latest(migratorConfig);
        });
        return;
      } catch (err) {
        if (!isSqliteMigrationRace(err) || attempt >= MIGRATION_LOCK_RETRIES) throw err;
        await sleep(MIGRATION_LOCK_WAIT_MS);
      }
    }
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }

  // ---- cursors ----

  async getCursor<T = unknown>(name: string): Promise<T | null> {
    const row = await this.knex<{ name: string; value: string }>('cursors').select('value').where({ name }).first();
    if (row === undefined) return null;
    // Cursors are opaque to the store; the caller that wrote one knows its shape.
    return JSON.parse(row.value) as T | null;
  }

  async setCursor(name: string, value: unknown): Promise<void> {
    if (value === undefined) throw new TypeError(`setCursor("${name}"): value is undefined`);
    await this.knex('cursors')
      .insert({ name, value: toJson(value, `cursor "${name}"`), updated_at: this.nowMs() })
      .onConflict('name')
      .merge(['value', 'updated_at']);
  }

  // ---- record links ----

  findLinksByHubSpotIds(mapping: string, ids: string[]): Promise<RecordLink[]> {
    return this.findLinks(mapping, 'hubspot_id', ids);
  }

  findLinksBySalesforceIds(mapping: string, ids: string[]): Promise<RecordLink[]> {
    return this.findLinks(mapping, 'salesforce_id', ids);
  }

  private async findLinks(
    mapping: string,
    column: 'hubspot_id' | 'salesforce_id',
    ids: string[],
  ): Promise<RecordLink[]> {
    const out: RecordLink[] = [];
    for (const part of chunk(uniqueIds(ids), MAX_BATCH)) {
      const rows = await this.knex<LinkRow>('record_links').select('*').where({ mapping }).whereIn(column, part);
      for (const row of rows) out.push(linkFromRow(row));
    }
    return out;
  }

  async upsertLinks(links: RecordLinkInput[]): Promise<void> {
    if (links.length === 0) return;
    const now = this.nowMs();
    const rows: LinkRow[] = lastByKey(links, (l) => JSON.stringify([l.mapping, l.hubspotId])).map((l) => ({
      mapping: l.mapping,
      hubspot_id: l.hubspotId,
      salesforce_object: l.salesforceObject,
      salesforce_id: l.salesforceId,
      created_at: now,
      updated_at: now,
    }));
    await this.knex.transaction(async (trx) => {
      for (const part of chunk(rows, MAX_BATCH)) {
        await trx('record_links')
          .insert(part)
          .onConflict(['mapping', 'hubspot_id'])
          .merge(['salesforce_object', 'salesforce_id', 'updated_at']);
      }
      for (const [mapping, group] of groupBy(rows, (r) => r.mapping)) {
        for (const [side, column] of [
          ['hubspot', 'hubspot_id'],
          ['salesforce', 'salesforce_id'],
        ] as const) {
          for (const part of chunk(uniqueIds(group.map((r) => r[column])), MAX_BATCH)) {
            await trx('record_orphans').where({ mapping, side }).whereIn('record_id', part).delete();
          }
        }
      }
    });
  }

  async deleteLinks(mapping: string, hubspotIds: string[]): Promise<number> {
    if (hubspotIds.length === 0) return 0;
    return this.knex.transaction(async (trx) => {
      let removed = 0;
      for (const part of chunk(uniqueIds(hubspotIds), MAX_BATCH)) {
        // Snapshots first: the foreign key cascades too, but SQLite only with foreign keys on.
        await trx('snapshots').where({ mapping }).whereIn('hubspot_id', part).delete();
        removed += await trx('record_links').where({ mapping }).whereIn('hubspot_id', part).delete();
      }
      return removed;
    });
  }

  // ---- orphans ----

  async addOrphans(orphans: RecordOrphan[]): Promise<void> {
    if (orphans.length === 0) return;
    const now = this.nowMs();
    const rows = lastByKey(orphans, (o) => JSON.stringify([o.mapping, o.side, o.recordId])).map((o) => ({
      mapping: o.mapping,
      side: o.side,
      record_id: o.recordId,
      partner_id: o.partnerId,
      orphaned_at: now,
    }));
    await this.knex.transaction(async (trx) => {
      for (const part of chunk(rows, MAX_BATCH)) {
        await trx('record_orphans')
          .insert(part)
          .onConflict(['mapping', 'side', 'record_id'])
          .merge(['partner_id', 'orphaned_at']);
      }
    });
  }

  async findOrphans(mapping: string, side: RecordOrphan['side'], ids: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const part of chunk(uniqueIds(ids), MAX_BATCH)) {
      const rows: Array<{ record_id: string }> = await this.knex('record_orphans')
        .select('record_id')
        .where({ mapping, side })
        .whereIn('record_id', part);
      for (const r of rows) out.add(r.record_id);
    }
    return out;
  }

  async claimCreations(mapping: string, hubspotIds: string[], holder: string, ttlMs: number): Promise<Set<string>> {
    const out = new Set<string>();
    const now = this.nowMs();
    for (const part of chunk(uniqueIds(hubspotIds), MAX_BATCH)) {
      // Expired claims go first; then insert-or-ignore decides each id for exactly one holder.
      await this.knex('creation_claims')
        .where({ mapping })
        .whereIn('hubspot_id', part)
        .andWhere('claimed_at', '<', now - ttlMs)
        .del();
      await this.knex('creation_claims')
        .insert(part.map((hubspotId) => ({ mapping, hubspot_id: hubspotId, holder, claimed_at: now })))
        .onConflict(['mapping', 'hubspot_id'])
        .ignore();
      const rows: Array<{ hubspot_id: string }> = await this.knex('creation_claims')
        .select('hubspot_id')
        .where({ mapping, holder })
        .whereIn('hubspot_id', part);
      for (const r of rows) out.add(r.hubspot_id);
    }
    return out;
  }

  async releaseCreations(mapping: string, hubspotIds: string[], holder: string): Promise<void> {
    for (const part of chunk(uniqueIds(hubspotIds), MAX_BATCH)) {
      await this.knex('creation_claims').where({ mapping, holder }).whereIn('hubspot_id', part).del();
    }
  }

  // ---- snapshots ----

  async getSnapshots(mapping: string, hubspotIds: string[]): Promise<Map<string, Snapshot>> {
    const out = new Map<string, Snapshot>();
    for (const part of chunk(uniqueIds(hubspotIds), MAX_BATCH)) {
      const rows = await this.knex<SnapshotRow>('snapshots').select('*').where({ mapping }).whereIn('hubspot_id', part);
      for (const row of rows) out.set(row.hubspot_id, snapshotFromRow(row));
    }
    return out;
  }

  async putSnapshots(snapshots: SnapshotInput[]): Promise<void> {
    if (snapshots.length === 0) return;
    const now = this.nowMs();
    const rows: SnapshotRow[] = lastByKey(snapshots, (s) => JSON.stringify([s.mapping, s.hubspotId])).map((s) => ({
      mapping: s.mapping,
      hubspot_id: s.hubspotId,
      hubspot_values: toJson(s.hubspot, 'snapshot.hubspot'),
      salesforce_values: toJson(s.salesforce, 'snapshot.salesforce'),
      synced_at: s.syncedAt === undefined ? now : toMs(s.syncedAt),
    }));
    await this.knex.transaction(async (trx) => {
      for (const part of chunk(rows, MAX_BATCH)) {
        // A snapshot belongs to a link. Checked here rather than left to the foreign key
        // alone, so both dialects refuse an orphan the same way, with a message that says so.
        for (const [mapping, ids] of groupBy(part, (r) => r.mapping)) {
          const linked = new Set(
            (
              await trx('record_links')
                .select('hubspot_id')
                .where({ mapping })
                .whereIn(
                  'hubspot_id',
                  ids.map((r) => r.hubspot_id),
                )
            ).map((r: { hubspot_id: string }) => r.hubspot_id),
          );
          const orphans = ids.filter((r) => !linked.has(r.hubspot_id)).map((r) => r.hubspot_id);
          if (orphans.length > 0)
            throw new Error(
              `putSnapshots: no record link for mapping "${mapping}" and HubSpot id(s) ${orphans.slice(0, 5).join(', ')}${orphans.length > 5 ? ', …' : ''}; store the link first`,
            );
        }
        await trx('snapshots')
          .insert(part)
          .onConflict(['mapping', 'hubspot_id'])
          .merge(['hubspot_values', 'salesforce_values', 'synced_at']);
      }
    });
  }

  // ---- sync errors ----

  async recordSyncErrors(errors: SyncErrorInput[]): Promise<void> {
    if (errors.length === 0) return;
    const now = this.nowMs();
    const { baseDelayMs, maxDelayMs, maxAttempts } = this.backoff;
    const rows = lastByKey(errors, (e) => JSON.stringify([e.mapping, e.direction, e.sourceId])).map((e) => ({
      mapping: e.mapping,
      direction: e.direction,
      source_id: e.sourceId,
      reason: e.reason,
      error_code: e.errorCode ?? null,
      payload: toJson(e.payload, `sync error payload for ${e.sourceId}`),
      attempts: 1,
      status: maxAttempts <= 1 || e.retry === false ? 'gave_up' : 'open',
      first_seen_at: now,
      last_seen_at: now,
      next_attempt_at: now + syncErrorRetryDelayMs(1, this.backoff),
      resolved_at: null,
    }));

    // The repeat case is computed in SQL from the stored row so concurrent recorders of the
    // same record each count. Old-row references (sync_errors.x) see pre-update values on
    // both dialects. The numbers are validated integers from our own config, not input.
    // capFrom = smallest n with base·2^n ≥ max; below it no cap is needed, so no LEAST/MIN.
    let capFrom = 0;
    while (capFrom < 52 && baseDelayMs * 2 ** capFrom < maxDelayMs) capFrom++;
    const isOpen = "sync_errors.status = 'open'";
    const raw = (sql: string) => this.knex.raw(sql);
    const merge = {
      reason: raw('excluded.reason'),
      error_code: raw('excluded.error_code'),
      payload: raw('excluded.payload'),
      last_seen_at: raw('excluded.last_seen_at'),
      first_seen_at: raw(`CASE WHEN ${isOpen} THEN sync_errors.first_seen_at ELSE excluded.first_seen_at END`),
      attempts: raw(`CASE WHEN ${isOpen} THEN sync_errors.attempts + 1 ELSE 1 END`),
      status: raw(
        `CASE WHEN excluded.status = 'gave_up' THEN 'gave_up' ` +
          `WHEN ${isOpen} AND sync_errors.attempts + 1 >= ${maxAttempts} THEN 'gave_up' ` +
          `WHEN ${isOpen} THEN 'open' ELSE excluded.status END`,
      ),
      next_attempt_at: raw(
        `CASE WHEN NOT (${isOpen}) THEN excluded.next_attempt_at ` +
          `WHEN sync_errors.attempts >= ${capFrom} THEN excluded.last_seen_at + ${maxDelayMs} ` +
          `ELSE excluded.last_seen_at + CAST(${baseDelayMs} AS BIGINT) * (CAST(1 AS BIGINT) << sync_errors.attempts) END`,
      ),
      resolved_at: null,
    };
    await this.knex.transaction(async (trx) => {
      for (const part of chunk(rows, MAX_BATCH)) {
        await trx('sync_errors').insert(part).onConflict(['mapping', 'direction', 'source_id']).merge(merge);
      }
    });
  }

  async listSyncErrors(filter: SyncErrorFilter = {}): Promise<SyncError[]> {
    const query = this.knex<SyncErrorRow>('sync_errors')
      .select('*')
      .orderBy([
        { column: 'last_seen_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    if (filter.mapping !== undefined) query.where('mapping', filter.mapping);
    if (typeof filter.status === 'string') query.where('status', filter.status);
    else if (filter.status !== undefined) query.whereIn('status', [...filter.status]);
    if (filter.limit !== undefined) {
      assertLimit(filter.limit);
      query.limit(filter.limit);
    }
    const rows: SyncErrorRow[] = await query;
    return rows.map(syncErrorFromRow);
  }

  async resolveSyncErrors(mapping: string, direction: SyncDirection, sourceIds: string[]): Promise<number> {
    if (sourceIds.length === 0) return 0;
    const now = this.nowMs();
    return this.knex.transaction(async (trx) => {
      let changed = 0;
      for (const part of chunk(uniqueIds(sourceIds), MAX_BATCH)) {
        changed += await trx('sync_errors')
          .where({ mapping, direction })
          .whereIn('source_id', part)
          .whereIn('status', ['open', 'gave_up'])
          .update({ status: 'resolved', resolved_at: now });
      }
      return changed;
    });
  }

  async findUnresolvedSyncErrors(
    mapping: string,
    direction: SyncDirection,
    sourceIds: string[],
    errorCode: string,
  ): Promise<Set<string>> {
    const out = new Set<string>();
    for (const part of chunk(uniqueIds(sourceIds), MAX_BATCH)) {
      const rows: Array<{ source_id: string }> = await this.knex('sync_errors')
        .select('source_id')
        .where({ mapping, direction, error_code: errorCode })
        .whereIn('source_id', part)
        .whereIn('status', ['open', 'gave_up']);
      for (const r of rows) out.add(r.source_id);
    }
    return out;
  }

  async dueSyncErrors(mapping: string, direction: SyncDirection, now: Date, limit: number): Promise<SyncError[]> {
    assertLimit(limit);
    const rows: SyncErrorRow[] = await this.knex<SyncErrorRow>('sync_errors')
      .select('*')
      .where({ mapping, direction, status: 'open' })
      .where('next_attempt_at', '<=', toMs(now))
      .orderBy([
        { column: 'next_attempt_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit);
    return rows.map(syncErrorFromRow);
  }

  // ---- handover events ----

  async appendHandoverEvents(events: HandoverEventInput[]): Promise<void> {
    if (events.length === 0) return;
    const now = this.nowMs();
    const rows = events.map((e) => ({
      workflow_id: e.workflowId,
      hubspot_id: e.hubspotId,
      type: e.type,
      owner_id: e.ownerId ?? null,
      data: toJson(e.data, `handover event "${e.type}" data`),
      occurred_at: e.occurredAt === undefined ? now : toMs(e.occurredAt),
      event_key: e.eventKey ?? null,
    }));
    await this.knex.transaction(async (trx) => {
      for (const part of chunk(rows, MAX_BATCH)) {
        // NULL keys never conflict, so keyless events are always appended.
        await trx('handover_events').insert(part).onConflict('event_key').ignore();
      }
    });
  }

  async listHandoverEvents(filter: HandoverEventFilter = {}): Promise<HandoverEvent[]> {
    const query = this.knex<HandoverEventRow>('handover_events')
      .select('*')
      .orderBy([
        { column: 'occurred_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    if (filter.workflowId !== undefined) query.where('workflow_id', filter.workflowId);
    if (filter.hubspotId !== undefined) query.where('hubspot_id', filter.hubspotId);
    if (filter.type !== undefined) query.where('type', filter.type);
    const rows: HandoverEventRow[] = await query;
    return rows.map(handoverEventFromRow);
  }

  async lastHandoverEvents(hubspotIds: string[], types: string[]): Promise<Map<string, HandoverEvent>> {
    const out = new Map<string, HandoverEvent>();
    if (types.length === 0) return out;
    for (const part of chunk(uniqueIds(hubspotIds), MAX_BATCH)) {
      // Verdicts are a few per contact at most, so reading them all and keeping the last is cheap.
      const rows: HandoverEventRow[] = await this.knex<HandoverEventRow>('handover_events')
        .select('*')
        .whereIn('hubspot_id', part)
        .whereIn('type', types)
        .orderBy([
          { column: 'occurred_at', order: 'asc' },
          { column: 'id', order: 'asc' },
        ]);
      for (const row of rows) out.set(row.hubspot_id, handoverEventFromRow(row));
    }
    return out;
  }

  // ---- routing counters ----

  async incrementRoutingCounter(team: string, repId: string, periodKey: string): Promise<number> {
    // One statement, so concurrent workers never lose an increment (ON CONFLICT … RETURNING
    // needs SQLite ≥ 3.35; better-sqlite3 bundles a newer one).
    const rows: Array<{ count: number | string }> = await this.knex('routing_counters')
      .insert({ team, rep_id: repId, period_key: periodKey, count: 1, updated_at: this.nowMs() })
      .onConflict(['team', 'rep_id', 'period_key'])
      .merge({ count: this.knex.raw('routing_counters.count + 1'), updated_at: this.knex.raw('excluded.updated_at') })
      .returning('count');
    const row = rows[0];
    if (row === undefined) throw new Error('incrementRoutingCounter: the upsert returned no row');
    return toInt(row.count);
  }

  async getRoutingCounts(team: string, periodKey: string): Promise<Map<string, number>> {
    const rows: Array<{ rep_id: string; count: number | string }> = await this.knex('routing_counters')
      .select('rep_id', 'count')
      .where({ team, period_key: periodKey });
    return new Map(rows.map((r) => [r.rep_id, toInt(r.count)]));
  }

  // ---- webhook deliveries ----

  async recordWebhookDelivery(eventId: string): Promise<boolean> {
    const rows: Array<{ event_id: string }> = await this.knex('webhook_deliveries')
      .insert({ event_id: eventId, received_at: this.nowMs() })
      .onConflict('event_id')
      .ignore()
      .returning('event_id');
    return rows.length === 1;
  }

  async forgetWebhookDelivery(eventId: string): Promise<void> {
    await this.knex('webhook_deliveries').where({ event_id: eventId }).delete();
  }

  async pruneWebhookDeliveries(before: Date): Promise<number> {
    return this.knex('webhook_deliveries').where('received_at', '<', toMs(before)).delete();
  }
}
