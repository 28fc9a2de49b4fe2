export type SyncDirection = 'to_salesforce' | 'to_hubspot';
export type SyncErrorStatus = 'open' | 'resolved' | 'gave_up';
export type Dialect = 'sqlite' | 'postgres';

/** Field values as Baton last wrote or read them; `null` means "blank on that side". */
export type FieldValues = Record<string, string | null>;

export interface RecordLink {
  mapping: string;
  hubspotId: string;
  salesforceObject: string;
  salesforceId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface RecordLinkInput {
  mapping: string;
  hubspotId: string;
  salesforceObject: string;
  salesforceId: string;
}

/**
 * A record whose linked partner was deleted under `on_delete: clear_link`: the sync never
 * creates a new partner for it, but matches one that appears.
 */
export interface RecordOrphan {
  mapping: string;
  /** The side the surviving record is on. */
  side: 'hubspot' | 'salesforce';
  recordId: string;
  /** The id of the deleted partner, for the record. */
  partnerId: string;
}

export interface Snapshot {
  mapping: string;
  hubspotId: string;
  hubspot: FieldValues;
  salesforce: FieldValues;
  syncedAt: Date;
}

export interface SnapshotInput {
  mapping: string;
  hubspotId: string;
  hubspot: FieldValues;
  salesforce: FieldValues;
  /** Defaults to the store's clock. */
  syncedAt?: Date;
}

export interface SyncError {
  id: number;
  mapping: string;
  direction: SyncDirection;
  sourceId: string;
  reason: string;
  errorCode: string | null;
  payload: unknown;
  attempts: number;
  status: SyncErrorStatus;
  firstSeenAt: Date;
  lastSeenAt: Date;
  nextAttemptAt: Date;
  resolvedAt: Date | null;
}

export interface SyncErrorInput {
  mapping: string;
  direction: SyncDirection;
  /** Id of the record on the side it was read from. */
  sourceId: string;
  reason: string;
  errorCode?: string | null;
  /** What Baton tried to write; must be JSON-serialisable. */
  payload?: unknown;
  /**
   * False for a refusal that no retry can fix (a write to a converted, read-only Lead):
   * the error is stored as 'gave_up' at once, for a person to look at.
   */
  retry?: boolean;
}

export interface SyncErrorFilter {
  mapping?: string;
  /** One status or several. */
  status?: SyncErrorStatus | readonly SyncErrorStatus[];
  limit?: number;
}

export interface HandoverEvent {
  id: number;
  workflowId: string;
  hubspotId: string;
  type: string;
  ownerId: string | null;
  data: unknown;
  occurredAt: Date;
  eventKey: string | null;
}

export interface HandoverEventInput {
  workflowId: string;
  hubspotId: string;
  type: string;
  ownerId?: string | null;
  data?: unknown;
  /** Defaults to the store's clock. */
  occurredAt?: Date;
  /**
   * Optional idempotency key (for example `${workflowId}:${type}:${attempt}`): an event whose
   * key is already stored is skipped, so a retried activity does not append it twice.
   */
  eventKey?: string;
}

export interface HandoverEventFilter {
  workflowId?: string;
  hubspotId?: string;
  type?: string;
}

/**
 * Retry schedule for rejected records: the n-th attempt is retried after
 * min(maxDelayMs, baseDelayMs * 2^(n-1)); after maxAttempts failures the error is 'gave_up'.
 */
export interface SyncErrorBackoff {
  baseDelayMs: number;
  maxDelayMs: number;
  maxAttempts: number;
}
