import fc from 'fast-check';
import { INITIAL_HUBSPOT_CURSOR, type HubSpotCursor } from '../../src/crm/hubspot/cursor';
import { readChangedContacts } from '../../src/crm/hubspot/delta-cursor';
import type { ContactSearch, HubSpotContact, WindowSearch } from '../../src/crm/hubspot/contacts';

function contact(id: number, ts: number): HubSpotContact {
  return {
    id: String(id),
    properties: { email: `c${id}@x.example`, lastmodifieddate: new Date(ts).toISOString() },
    updatedAt: new Date(ts),
  };
}

const ts = (c: HubSpotContact) => Date.parse(c.properties.lastmodifieddate ?? '');

/**
 * An in-memory CRM search over a live list (tests change records between pages), ordered
 * by id as the query asks; it refuses pages over 200, as HubSpot does, and counts calls.
 */
function fakeSearch(records: HubSpotContact[]): ContactSearch & { calls: number; queries: WindowSearch[] } {
  const api = {
    calls: 0,
    queries: [] as WindowSearch[],
    async searchWindow(q: WindowSearch) {
      api.calls += 1;
      api.queries.push(q);
      if (q.limit > 200) throw new Error(`limit ${q.limit} is over HubSpot's 200`);
      const hits = records
        .filter((c) => ts(c) > q.after && ts(c) <= q.until && (q.afterId === null || Number(c.id) > Number(q.afterId)))
        .sort((a, b) => Number(a.id) - Number(b.id));
      return { total: hits.length, results: hits.slice(0, q.limit) };
    },
  };
  return api;
}

async function drain(
  search: ContactSearch,
  until: number,
  from: HubSpotCursor = INITIAL_HUBSPOT_CURSOR,
  afterPage?: () => void,
): Promise<{ seen: string[]; cursor: HubSpotCursor }> {
  let cursor = from;
  const seen: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const page = await readChangedContacts(search, ['email'], cursor, until);
    seen.push(...page.records.map((r) => r.id));
    cursor = page.next;
    afterPage?.();
    if (page.done) return { seen, cursor };
  }
  throw new Error('the cursor did not finish: it loops');
}

const T = 1_700_000_000_000;
const UNTIL = 1_800_000_000_000;

describe('readChangedContacts (the HubSpot delta cursor)', () => {
  it('reads 10,001 records that share one lastmodifieddate exactly once, one search per 200', async () => {
    const records = Array.from({ length: 10_001 }, (_, i) => contact(i + 1, T));
    const search = fakeSearch(records);
    const { seen, cursor } = await drain(search, UNTIL);
    expect(seen).toHaveLength(10_001);
    expect(new Set(seen).size).toBe(10_001);
    // 50 full pages and the one holding the last record: the minimum.
    expect(search.calls).toBe(51);
    expect(cursor).toEqual({ mode: 'after', ts: T });
  });

  it('reads batch-written groups (100 records a millisecond) without re-reading a group cut by a page', async () => {
    // HubSpot batch writes stamp their 100 records alike: every 200-record page ends inside
    // or at the end of a group, which a (timestamp, id) cursor had to read again.
    const records = Array.from({ length: 10_000 }, (_, i) => contact(i + 1, T + Math.floor(i / 100)));
    const search = fakeSearch(records);
    const { seen, cursor } = await drain(search, UNTIL);
    expect(seen).toEqual(records.map((r) => r.id));
    // 50 full pages, then one empty page that ends the window.
    expect(search.calls).toBe(51);
    expect(cursor).toEqual({ mode: 'after', ts: T + 99 });
    // Every page is a full one.
    expect(search.queries.every((q) => q.limit === 200)).toBe(true);
  });

  it('costs one search per page whatever the timestamps (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 0, maxLength: 1_500 }),
        async (stamps) => {
          const records = stamps.map((t, i) => contact(i + 1, T + t * 1000));
          const search = fakeSearch(records);
          const { seen } = await drain(search, UNTIL);
          expect(seen.length).toBe(records.length);
          expect(search.calls).toBe(Math.floor(records.length / 200) + 1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('never skips or repeats a record, whatever the timestamps and ids (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ t: fc.integer({ min: 1, max: 40 }), id: fc.integer({ min: 1, max: 1_000_000 }) }), {
          minLength: 0,
          maxLength: 900,
        }),
        async (rows) => {
          const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
          const records = unique.map((r) => contact(r.id, T + r.t * 1000));
          const { seen } = await drain(fakeSearch(records), UNTIL);
          expect([...seen].sort()).toEqual(records.map((r) => r.id).sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leaves records changed after the run’s upper bound for the next run', async () => {
    const records = [contact(1, 1000), contact(2, 2000), contact(3, 3000)];
    const search = fakeSearch(records);
    const first = await drain(search, 2000);
    expect(first.seen.sort()).toEqual(['1', '2']);
    const second = await drain(search, 4000, first.cursor);
    expect(second.seen).toEqual(['3']);
  });

  it('a record changed while its window is read is read again by the next run', async () => {
    const records = Array.from({ length: 1_000 }, (_, i) => contact(i + 1, T + i));
    const search = fakeSearch(records);
    let pages = 0;
    // After the first page, record 5 (read) and record 900 (not read yet) change: both now
    // lie past this run's window.
    const { seen, cursor } = await drain(search, T + 10_000, INITIAL_HUBSPOT_CURSOR, () => {
      if (++pages === 1) {
        records[4] = contact(5, T + 20_000);
        records[899] = contact(900, T + 20_000);
      }
    });
    expect(seen).not.toContain('900');
    expect(seen).toHaveLength(999);
    const next = await drain(search, T + 30_000, cursor);
    expect(next.seen.sort()).toEqual(['5', '900']);
  });

  it('finishes a window stored by an earlier run, then reads on to this run’s bound', async () => {
    const records = Array.from({ length: 450 }, (_, i) => contact(i + 1, T + (i < 300 ? 0 : 5_000)));
    const search = fakeSearch(records);
    // The earlier run (bound T + 1000) read ids 1–200 and stopped.
    const stored: HubSpotCursor = { mode: 'scan', from: 0, to: T + 1_000, afterId: '200', maxTs: T };
    const { seen, cursor } = await drain(search, UNTIL, stored);
    expect(seen).toEqual(records.slice(200).map((r) => r.id));
    expect(search.queries[0]).toMatchObject({ after: 0, until: T + 1_000, afterId: '200' });
    expect(cursor).toEqual({ mode: 'after', ts: T + 5_000 });
  });

  it('resumes a tie cursor stored by an earlier version where it stopped', async () => {
    const records = [
      ...Array.from({ length: 300 }, (_, i) => contact(i + 1, T)),
      contact(301, T + 1),
      contact(302, T + 2),
    ];
    const search = fakeSearch(records);
    const { seen } = await drain(search, UNTIL, { mode: 'tie', ts: T, afterId: '250' });
    expect(seen).toEqual([...Array.from({ length: 50 }, (_, i) => String(251 + i)), '301', '302']);
  });

  it('makes no call when the watermark is already at the bound', async () => {
    const search = fakeSearch([contact(1, T)]);
    const page = await readChangedContacts(search, ['email'], { mode: 'after', ts: T }, T);
    expect(page).toEqual({ records: [], next: { mode: 'after', ts: T }, done: true });
    expect(search.calls).toBe(0);
  });
});
