/** ISO-8601 in UTC with milliseconds, the form CRM v3 uses for datetime properties. */
export function toIso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

const EPOCH_MS = /^-?\d{1,16}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Reads a timestamp as HubSpot accepts one, in filters and in datetime properties:
 * epoch milliseconds (as text or a number) or an ISO-8601 date or datetime.
 * https://developers.hubspot.com/docs/api/crm/search#filter-search-results
 */
export function parseTimestamp(value: string): number | undefined {
  const text = value.trim();
  if (EPOCH_MS.test(text)) return Number(text);
  if (ISO_DATE.test(text)) {
    // A date-only value means midnight UTC, and an ISO time without a zone is read as UTC too.
    const withZone = /T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/.test(text) ? `${text}Z` : text;
    const ms = Date.parse(withZone.replace(' ', 'T'));
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

export function isIsoLike(value: string): boolean {
  return ISO_DATE.test(value.trim());
}
