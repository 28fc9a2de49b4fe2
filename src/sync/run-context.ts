import type { ObjectMapping } from '../config/mapping-file';
import type { Mappers } from '../mapping/sync-plan';
import { toHubSpotValues, toSalesforceValues } from '../mapping/transform';
import type { Store } from '../store';
import type { SyncSides } from './sides';
import type { RecordOutcome } from './types';

export interface SyncOptions {
  /** Plan only: read and diff, write nothing. */
  dryRun?: boolean;
  onRecord?: (outcome: RecordOutcome) => void;
}

/**
 * What the engine needs from whatever runs it. A Temporal activity heartbeats and names its
 * creations after itself, so a retried attempt keeps the creation claims of the one before;
 * `baton sync --once` runs in a plain process and does neither.
 */
export interface SyncHost {
  /** Progress: a retried activity that heartbeats shows where it was. */
  heartbeat(step: string): void;
  /** Who creates records in this call (see the store's claims repository). */
  creator(): string;
  /** Epoch ms. */
  now(): number;
}

/** A process outside Temporal: nothing to heartbeat to, and claims of its own for each call. */
export const processHost: SyncHost = {
  heartbeat: () => {},
  creator: () => `sync:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}`,
  now: () => Date.now(),
};

/** The mapping's field transforms, both ways. */
export function mappersOf(mapping: ObjectMapping): Mappers {
  return { toSalesforce: (v) => toSalesforceValues(mapping, v), toHubSpot: (v) => toHubSpotValues(mapping, v) };
}

export interface SyncRunInit {
  store: Store;
  sides: SyncSides;
  mapping: ObjectMapping;
  /** Default: the mapping's own transforms (mappersOf). */
  mappers?: Mappers;
  options?: SyncOptions;
  /** Default: a plain process (processHost). */
  host?: SyncHost;
}

/** Everything one sync call works with: the store, both sides, one mapping with its transforms, and how it reports. */
export class SyncRun {
  readonly store: Store;
  readonly sides: SyncSides;
  readonly mapping: ObjectMapping;
  readonly mappers: Mappers;
  readonly options: SyncOptions;
  readonly host: SyncHost;

  constructor(init: SyncRunInit) {
    this.store = init.store;
    this.sides = init.sides;
    this.mapping = init.mapping;
    this.mappers = init.mappers ?? mappersOf(init.mapping);
    this.options = init.options ?? {};
    this.host = init.host ?? processHost;
  }

  get dryRun(): boolean {
    return this.options.dryRun ?? false;
  }

  /** The same run over another mapping with that mapping's transforms: the Contacts that a followed conversion leads to. */
  forMapping(mapping: ObjectMapping): SyncRun {
    return new SyncRun({ store: this.store, sides: this.sides, mapping, options: this.options, host: this.host });
  }

  report(outcome: RecordOutcome): void {
    this.options.onRecord?.(outcome);
  }

  heartbeat(step: string): void {
    this.host.heartbeat(step);
  }
}
