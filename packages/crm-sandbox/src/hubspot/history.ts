/**
 * Property history: every value a property has held, as `propertiesWithHistory` reports it.
 * https://developers.hubspot.com/docs/api/crm/understanding-the-crm#property-history
 *
 * A record keeps one change set per write (the values that write changed) rather than one
 * entry per property: a batch of 100 writes then costs 100 small objects, not 1,000, which
 * keeps the batch endpoints fast. Reads regroup the sets by property.
 */
import { toIso } from './time';

/** Who wrote a value. HubSpot's `sourceType` values include CRM_UI, INTEGRATION, IMPORT, FORM, CALCULATED, AUTOMATION_PLATFORM. */
export interface WriteSource {
  sourceType: string;
  sourceId?: string;
}

/** The values one write changed ("" for a cleared one), when, and by whom. */
export interface ChangeSet {
  at: number;
  source: WriteSource;
  values: Readonly<Record<string, string>>;
}

/** A record's change sets, oldest first. */
export type PropertyHistory = ChangeSet[];

/** The app id the sandbox reports for its private app (history `sourceId`, webhook `appId`). */
export const SANDBOX_APP_ID = 1_160_452;

/**
 * Writes through the API with a private-app token. HubSpot records these as
 * INTEGRATION with the app as source (sandbox reading of captured histories; unverified).
 */
export const API_SOURCE: WriteSource = Object.freeze({ sourceType: 'INTEGRATION', sourceId: String(SANDBOX_APP_ID) });
/** Values HubSpot computes itself (score, email domain, stage dates). */
export const CALCULATED_SOURCE: WriteSource = Object.freeze({ sourceType: 'CALCULATED' });
/** Writes straight into the state (tests, simulation of a person in the UI). */
export const CRM_UI_SOURCE: WriteSource = Object.freeze({ sourceType: 'CRM_UI' });
export const IMPORT_SOURCE: WriteSource = Object.freeze({ sourceType: 'IMPORT' });

/**
 * Change sets kept per record: the creation and the latest writes. HubSpot's own retention
 * is not on record; a cap keeps a long-running demo (scores changing every few seconds)
 * from growing without bound.
 */
export const MAX_CHANGE_SETS = 500;

export function appendChange(history: PropertyHistory, change: ChangeSet): void {
  history.push(change);
  // The creation set stays: it holds the first value of everything set at creation.
  if (history.length > MAX_CHANGE_SETS) history.splice(1, history.length - MAX_CHANGE_SETS);
}

/** HubSpot's ValueWithTimestamp, as JSON. */
export interface ValueWithTimestampJson {
  value: string;
  timestamp: string;
  sourceType: string;
  sourceId?: string;
}

/** Every value `name` has held, newest first, as HubSpot returns them. */
export function historyOfProperty(history: PropertyHistory, name: string): ValueWithTimestampJson[] {
  const out: ValueWithTimestampJson[] = [];
  for (let i = history.length - 1; i >= 0; i--) {
    const change = history[i]!;
    // Own keys only: change sets loaded from a file are plain objects, and a property may be called "constructor".
    if (!Object.hasOwn(change.values, name)) continue;
    out.push(present(change.values[name]!, change.at, change.source));
  }
  return out;
}

export function present(value: string, at: number, source: WriteSource): ValueWithTimestampJson {
  const json: ValueWithTimestampJson = { value, timestamp: toIso(at), sourceType: source.sourceType };
  if (source.sourceId !== undefined) json.sourceId = source.sourceId;
  return json;
}
