import fc from 'fast-check';
import { INITIAL_HUBSPOT_CURSOR, type HubSpotCursor } from '../../src/crm/hubspot/cursor';
import { readChangedContacts } from '../../src/crm/hubspot/delta-cursor';
import type { ContactSearch, HubSpotContact, ModifiedSearch, TieSearch } from '../../src/crm/hubspot/contacts';


function contact(id: number, ts: number): HubSpotContact {
  return { id: String(id), properties: { email: `c${id}@x.example`, lastmodifieddate: new Date(ts).toISOString() }, updatedAt: new Date(ts) };
}

/**
 * An in-memory search that, like the real service, returns records sharing a timestamp
 * in no particular order (here: a shuffled one), and refuses to page past 10,000.
 */
function fakeSearch(records: HubSpotContact[], shuffleSeed: number): ContactSearch & { calls: number } {
  const ts = (c: HubSpotContact) => Date.parse(c.properties.lastmodifieddate ?? '');
  const scramble = (c: HubSpotContact) => (Number(c.id) * 2654435761 + shuffleSeed) % 4294967296;
  const api = {
    calls: 0,
    async searchModified(q: ModifiedSearch) {
      api.calls += 1;
      const hits = records.filter((c) => ts(c) > q.after && ts(c) <= q.until).sort((a, b) => ts(a) - ts(b) || scramble(a) - scramble(b));
      return { total: hits.length, results: hits.slice(0, q.limit) };
    },
    async searchAtTimestamp(q: TieSearch) {
      api.calls += 1;
      const hits = records
        .filter((c) => ts(c) === q.at && (q.afterId === null || Number(c.id) > Number(q.afterId)))
        .sort((a, b) => Number(a.id) - Number(b.id));
      return { total: hits.length, results: hits.slice(0, q.limit) };
    },
  };
  return api;
}

async function drain(search: ContactSearch, until: number): Promise<string[]> {
  let cursor: HubSpotCursor = INITIAL_HUBSPOT_CURSOR;
  const seen: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    const page = await readChangedContacts(search, ['email'], cursor, until);
    seen.push(...page.records.map((r) => r.id));
    cursor = page.next;
    if (page.done) return seen;
  }
  throw new Error('the cursor did not finish: it loops');
}

describe('readChangedContacts (the HubSpot delta cursor)', () => {
  it('reads 10,001 records that share one lastmodifieddate exactly once', async () => {
    const records = Array.from({ length: 10_001 }, (_, i) => contact(i + 1, 1_700_000_000_000));
    const search = fakeSearch(records, 7);
    const seen = await drain(search, 1_800_000_000_000);
    expect(seen).toHaveLength(10_001);
    expect(new Set(seen).size).toBe(10_001);
    // 51 tie pages of ≤ 200 plus the opening and closing windows: close to the minimum.
    expect(search.calls).toBeLessThanOrEqual(54);
  });

  it('never skips or repeats a record, whatever the timestamps and tie order (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 0, maxLength: 900 }),
        fc.integer({ min: 0, max: 1000 }),
        async (stamps, seed) => {
          const records = stamps.map((t, i) => contact(i + 1, 1_700_000_000_000 + t * 1000));
          const seen = await drain(fakeSearch(records, seed), 1_800_000_000_000);
          expect([...seen].sort()).toEqual(records.map((r) => r.id).sort());
        },
      ),
      { numRuns: 60 },
    );
  });

  it('leaves records changed after the run’s upper bound for the next run', async () => {
    const records = [contact(1, 1000), contact(2, 2000), contact(3, 3000)];
    const seen = await drain(fakeSearch(records, 1), 2000);
    expect(seen.sort()).toEqual(['1', '2']);
  });
});
