import fc from 'fast-check';
import type { ObjectMapping } from '../../src/config/mapping-file';
import {
  planRecord,
  type ConflictRule,
  type Direction,
  type Mappers,
  type SideRecord,
  type SnapshotValues,
} from '../../src/mapping/sync-plan';
import type { Values } from '../../src/mapping/transform';

function mappingWith(rule: ConflictRule): ObjectMapping {
  return {
    name: 'contact',
    file: 'contact.yaml',
    hubspot: { object: 'contacts' },
    salesforce: { object: 'Lead' },
    match: { hubspot: 'email', salesforce: 'Email', case_insensitive: true },
    fields: [
      { hubspot: 'email', salesforce: 'Email', direction: 'to_salesforce', transforms: [] },
      { hubspot: 'company', salesforce: 'Company', direction: 'both', conflict: rule, transforms: [] },
      { hubspot: 'jobtitle', salesforce: 'Title', direction: 'both', conflict: rule, transforms: [] },
      { hubspot: 'hs_lead_status', salesforce: 'Status', direction: 'to_hubspot', transforms: [] },
    ],
  };
}

/** 1:1 mappers honouring each field's direction (transforms are covered elsewhere). */
function mappersOf(mapping: ObjectMapping): Mappers {
  const pick = (values: Values, dir: Direction) => {
    const out: Values = {};
    for (const f of mapping.fields) {
      if (f.direction !== 'both' && f.direction !== dir) continue;
      const [h, sf] = [String(f.hubspot), String(f.salesforce)];
      if (dir === 'to_salesforce') out[sf] = values[h] ?? null;
      else out[h] = values[sf] ?? null;
    }
    return out;
  };
  return { toSalesforce: (v) => pick(v, 'to_salesforce'), toHubSpot: (v) => pick(v, 'to_hubspot') };
}

describe('planRecord', () => {
  const mapping = mappingWith('last_write_wins');
  const mappers = mappersOf(mapping);
  const hs = (values: Values, modifiedAt = 1): SideRecord => ({ values, modifiedAt });

  it('creates with every mapped non-blank value when there is no target', () => {
    const plan = planRecord(
      mapping,
      mappers,
      'to_salesforce',
      hs({ email: 'a@x.example', company: 'Acme', jobtitle: null }),
      undefined,
      undefined,
    );
    expect(plan.writeTarget).toEqual({ Email: 'a@x.example', Company: 'Acme' });
  });

  it('drops an echo: the target already holds what Baton wrote', () => {
    const snapshot: SnapshotValues = {
      hubspot: { email: 'a@x.example', company: 'Acme', jobtitle: 'CTO', hs_lead_status: 'Open' },
      salesforce: { Email: 'a@x.example', Company: 'Acme', Title: 'CTO', Status: 'Open' },
    };
    const plan = planRecord(
      mapping,
      mappers,
      'to_hubspot',
      hs(snapshot.salesforce, 5),
      hs(snapshot.hubspot, 4),
      snapshot,
    );
    expect(plan.writeTarget).toEqual({});
    expect(plan.conflicts).toEqual([]);
  });

  it('sends only the fields changed since the snapshot', () => {
    const snapshot: SnapshotValues = {
      hubspot: { email: 'a@x.example', company: 'Acme', jobtitle: 'CTO' },
      salesforce: { Email: 'a@x.example', Company: 'Acme', Title: 'CTO' },
    };
    const plan = planRecord(
      mapping,
      mappers,
      'to_salesforce',
      hs({ ...snapshot.hubspot, jobtitle: 'CEO' }, 9),
      hs(snapshot.salesforce, 2),
      snapshot,
    );
    expect(plan.writeTarget).toEqual({ Title: 'CEO' });
  });

  it.each<[ConflictRule, string | null, string | null, number, number, 'hubspot' | 'salesforce']>([
    ['hubspot_wins', 'HS Co', 'SF Co', 1, 2, 'hubspot'],
    ['salesforce_wins', 'HS Co', 'SF Co', 2, 1, 'salesforce'],
    ['last_write_wins', 'HS Co', 'SF Co', 3, 2, 'hubspot'],
    ['last_write_wins', 'HS Co', 'SF Co', 2, 3, 'salesforce'],
    ['prefer_non_blank', null, 'SF Co', 3, 2, 'salesforce'],
    ['prefer_non_blank', 'HS Co', null, 2, 3, 'hubspot'],
  ])('settles a conflict with %s (HubSpot %s, Salesforce %s)', (rule, hsValue, sfValue, hsAt, sfAt, winner) => {
    const m = mappingWith(rule);
    const snapshot: SnapshotValues = {
      hubspot: { email: 'a@x.example', company: 'Old', jobtitle: null },
      salesforce: { Email: 'a@x.example', Company: 'Old', Title: null },
    };
    const plan = planRecord(
      m,
      mappersOf(m),
      'to_salesforce',
      hs({ email: 'a@x.example', company: hsValue, jobtitle: null }, hsAt),
      hs({ Email: 'a@x.example', Company: sfValue, Title: null }, sfAt),
      snapshot,
    );
    expect(plan.conflicts).toEqual([expect.objectContaining({ field: 'Company', rule, winner })]);
    if (winner === 'hubspot') expect(plan.writeTarget).toEqual({ Company: hsValue });
    else expect(plan.writeSource).toEqual({ company: sfValue });
    expect(plan.snapshot.hubspot.company).toBe(plan.snapshot.salesforce.Company);
  });
});

/**
 * Two in-memory CRMs, random edits on both sides interleaved with sync cycles in both
 * directions: once edits stop, both sides agree under the rules, and one more cycle
 * writes nothing.
 */
describe('two-way sync converges (property)', () => {
  type Store = Map<string, SideRecord>;
  const FIELDS = { hubspot: ['company', 'jobtitle'], salesforce: ['Company', 'Title', 'Status'] } as const;

  function world(ids: string[]) {
    const hubspot: Store = new Map(
      ids.map((id) => [id, { values: { email: `${id}@x.example`, company: null, jobtitle: null }, modifiedAt: 0 }]),
    );
    const salesforce: Store = new Map(
      ids.map((id) => [
        id,
        { values: { Email: `${id}@x.example`, Company: null, Title: null, Status: null }, modifiedAt: 0 },
      ]),
    );
    return {
      hubspot,
      salesforce,
      snapshots: new Map<string, SnapshotValues>(),
      seen: { hubspot: -1, salesforce: -1 },
      clock: 1,
    };
  }
  type World = ReturnType<typeof world>;

  function cycle(w: World, mapping: ObjectMapping, direction: Direction): number {
    const mappers = mappersOf(mapping);
    const [src, tgt] =
      direction === 'to_salesforce' ? (['hubspot', 'salesforce'] as const) : (['salesforce', 'hubspot'] as const);
    const since = w.seen[src];
    const upTo = w.clock;
    let writes = 0;
    for (const [id, source] of w[src]) {
      if (source.modifiedAt <= since || source.modifiedAt > upTo) continue;
      const target = w[tgt].get(id) as SideRecord;
      const plan = planRecord(mapping, mappers, direction, source, target, w.snapshots.get(id));
      const apply = (store: Store, changes: Values) => {
        if (Object.keys(changes).length === 0) return;
        const rec = store.get(id) as SideRecord;
        w.clock += 1;
        store.set(id, { values: { ...rec.values, ...changes }, modifiedAt: w.clock });
        writes += 1;
      };
      apply(w[tgt], plan.writeTarget);
      apply(w[src], plan.writeSource);
      w.snapshots.set(id, plan.snapshot);
    }
    w.seen[src] = upTo;
    return writes;
  }

  const edit = fc.record({
    side: fc.constantFrom<'hubspot' | 'salesforce'>('hubspot', 'salesforce'),
    id: fc.constantFrom('a', 'b', 'c'),
    field: fc.nat(2),
    value: fc.constantFrom<string | null>(null, 'x', 'y', 'z'),
    syncAfter: fc.option(fc.constantFrom<Direction>('to_salesforce', 'to_hubspot'), { nil: undefined }),
  });

  it.each<ConflictRule>(['hubspot_wins', 'salesforce_wins', 'last_write_wins', 'prefer_non_blank'])(
    'with %s',
    (rule) => {
      const mapping = mappingWith(rule);
      fc.assert(
        fc.property(fc.array(edit, { maxLength: 40 }), (edits) => {
          const w = world(['a', 'b', 'c']);
          for (const e of edits) {
            const names = FIELDS[e.side];
            const field = names[e.field % names.length] as string;
            const rec = w[e.side].get(e.id) as SideRecord;
            w.clock += 1;
            w[e.side].set(e.id, { values: { ...rec.values, [field]: e.value }, modifiedAt: w.clock });
            if (e.syncAfter) cycle(w, mapping, e.syncAfter);
          }
          // Edits stop: cycles until quiet; at most two rounds may write.
          let rounds = 0;
          while (cycle(w, mapping, 'to_salesforce') + cycle(w, mapping, 'to_hubspot') > 0) {
            rounds += 1;
            if (rounds > 2) throw new Error('did not converge within two rounds');
          }
          const mappers = mappersOf(mapping);
          for (const id of ['a', 'b', 'c']) {
            const h = (w.hubspot.get(id) as SideRecord).values;
            const s = (w.salesforce.get(id) as SideRecord).values;
            expect(mappers.toSalesforce(h)).toEqual(expect.objectContaining({ Company: s.Company, Title: s.Title }));
            expect(h.hs_lead_status ?? null).toBe(s.Status ?? null);
          }
          // One more full cycle writes nothing.
          expect(cycle(w, mapping, 'to_salesforce') + cycle(w, mapping, 'to_hubspot')).toBe(0);
        }),
        { numRuns: 300 },
      );
    },
  );
});

describe('planRecord creating on the other side', () => {
  it('always carries the match key, even when that field flows the other way only', () => {
    const mapping: ObjectMapping = {
      name: 'contact',
      file: 'contact.yaml',
      hubspot: { object: 'contacts' },
      salesforce: { object: 'Lead' },
      match: { hubspot: 'email', salesforce: 'Email', case_insensitive: true },
      fields: [
        { hubspot: 'email', salesforce: 'Email', direction: 'to_salesforce', transforms: [] },
        { hubspot: 'company', salesforce: 'Company', direction: 'both', transforms: [] },
      ],
    } as ObjectMapping;
    const mappers: Mappers = {
      toSalesforce: (v) => ({ Email: v.email ?? null, Company: v.company ?? null }),
      toHubSpot: (v) => ({ company: v.Company ?? null }),
    };
    const plan = planRecord(
      mapping,
      mappers,
      'to_hubspot',
      { values: { Email: ' new@x.example ', Company: 'Acme' }, modifiedAt: 1 },
      undefined,
      undefined,
    );
    expect(plan.writeTarget).toEqual({ company: 'Acme', email: 'new@x.example' });
  });
});
