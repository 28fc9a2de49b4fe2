/**
 * The HubSpot read position of a mapping. Between runs it is a high-watermark on
 * `lastmodifieddate` (`after`). While a run reads, it is a scan of one fixed window
 * `(from, to]` in id order (`scan`): paging by id does not depend on how HubSpot orders
 * records that share a timestamp (it does not say), so every page is a full one, no record
 * is read twice however many share one `lastmodifieddate` (a batch write stamps up to 100
 * alike), and no page is ever past the 10,000-result cap.
 */
export type HubSpotCursor =
  | { mode: 'after'; ts: number }
  | {
      mode: 'scan';
      /** The window: modified after `from` and at or before `to` (epoch ms), fixed while it is scanned. */
      from: number;
      to: number;
      /** The last id read; the next page starts above it. */
      afterId: string;
      /** The latest modification time read in the window so far: where the next window starts. */
      maxTs: number;
    }
  /** Stored by earlier versions: the records at `ts` with an id above `afterId` are still to read. */
  | { mode: 'tie'; ts: number; afterId: string | null };

export const INITIAL_HUBSPOT_CURSOR: HubSpotCursor = { mode: 'after', ts: 0 };
