/**
 * The HubSpot read position of a mapping: a high-watermark on `lastmodifieddate` with an
 * id tie-breaker. In `tie` mode the sync drains one timestamp by id, which is how more
 * than a page (or than HubSpot's 10,000-result search cap) of records sharing one
 * `lastmodifieddate` are read exactly once.
 */
export type HubSpotCursor = { mode: 'after'; ts: number } | { mode: 'tie'; ts: number; afterId: string | null };

export const INITIAL_HUBSPOT_CURSOR: HubSpotCursor = { mode: 'after', ts: 0 };
