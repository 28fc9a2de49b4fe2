import type {
  HandoverEvent,
  RecordLink,
  Snapshot,
  SyncDirection,
  SyncError,
  SyncErrorStatus,
  FieldValues,
} from './types';

// pg returns bigint columns as strings (they can exceed 2^53); ours are epoch ms and
// serial ids, which stay well inside Number's safe range.
type IntLike = number | string | bigint;

export interface LinkRow {
  mapping: string;
  hubspot_id: string;
  salesforce_object: string;
  salesforce_id: string;
  created_at: IntLike;
  updated_at: IntLike;
}

export interface SnapshotRow {
  mapping: string;
  hubspot_id: string;
  hubspot_values: string;
  salesforce_values: string;
  synced_at: IntLike;
}

export interface SyncErrorRow {
  id: IntLike;
  mapping: string;
  direction: string;
  source_id: string;
  reason: string;
  error_code: string | null;
  payload: string;
  attempts: IntLike;
  status: string;
  first_seen_at: IntLike;
  last_seen_at: IntLike;
  next_attempt_at: IntLike;
  resolved_at: IntLike | null;
}

export interface HandoverEventRow {
  id: IntLike;
  workflow_id: string;
  hubspot_id: string;
  type: string;
  owner_id: string | null;
  data: string;
  occurred_at: IntLike;
  event_key: string | null;
}

export function toInt(value: IntLike): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`Store: expected an integer, got ${String(value)}`);
  return n;
}

export function toDate(value: IntLike): Date {
  return new Date(toInt(value));
}

export function toMs(date: Date): number {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new TypeError('Store: invalid Date');
  return ms;
}

export function toJson(value: unknown, what: string): string {
  const json = JSON.stringify(value ?? null);
  // JSON.stringify returns undefined for functions and symbols.
  if (typeof json !== 'string') throw new TypeError(`Store: ${what} is not JSON-serialisable`);
  return json;
}

function isFieldValues(value: unknown): value is FieldValues {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((v) => v === null || typeof v === 'string');
}

function parseFieldValues(json: string, what: string): FieldValues {
  const parsed: unknown = JSON.parse(json);
  if (!isFieldValues(parsed)) throw new Error(`Store: ${what} is not a map of strings`);
  return parsed;
}

const DIRECTIONS: readonly string[] = ['to_salesforce', 'to_hubspot'] satisfies SyncDirection[];
const STATUSES: readonly string[] = ['open', 'resolved', 'gave_up'] satisfies SyncErrorStatus[];

function isDirection(value: string): value is SyncDirection {
  return DIRECTIONS.includes(value);
}

function isStatus(value: string): value is SyncErrorStatus {
  return STATUSES.includes(value);
}

export function linkFromRow(row: LinkRow): RecordLink {
  return {
    mapping: row.mapping,
    hubspotId: row.hubspot_id,
    salesforceObject: row.salesforce_object,
    salesforceId: row.salesforce_id,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export function snapshotFromRow(row: SnapshotRow): Snapshot {
  return {
    mapping: row.mapping,
    hubspotId: row.hubspot_id,
    hubspot: parseFieldValues(row.hubspot_values, 'snapshots.hubspot_values'),
    salesforce: parseFieldValues(row.salesforce_values, 'snapshots.salesforce_values'),
    syncedAt: toDate(row.synced_at),
  };
}

export function syncErrorFromRow(row: SyncErrorRow): SyncError {
  if (!isDirection(row.direction)) throw new Error(`Store: unknown sync direction "${row.direction}"`);
  if (!isStatus(row.status)) throw new Error(`Store: unknown sync error status "${row.status}"`);
  return {
    id: toInt(row.id),
    mapping: row.mapping,
    direction: row.direction,
    sourceId: row.source_id,
    reason: row.reason,
    errorCode: row.error_code,
    payload: JSON.parse(row.payload) as unknown,
    attempts: toInt(row.attempts),
    status: row.status,
    firstSeenAt: toDate(row.first_seen_at),
    lastSeenAt: toDate(row.last_seen_at),
    nextAttemptAt: toDate(row.next_attempt_at),
    resolvedAt: row.resolved_at === null ? null : toDate(row.resolved_at),
  };
}

export function handoverEventFromRow(row: HandoverEventRow): HandoverEvent {
  return {
    id: toInt(row.id),
    workflowId: row.workflow_id,
    hubspotId: row.hubspot_id,
    type: row.type,
    ownerId: row.owner_id,
    data: JSON.parse(row.data) as unknown,
    occurredAt: toDate(row.occurred_at),
    eventKey: row.event_key,
  };
}

/** Splits `items` into slices of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Keeps the last item for each key, in first-seen order (one statement may not touch a row twice). */
export function lastByKey<T>(items: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    byKey.set(key(item), item);
  }
  return [...byKey.values()];
}
