import { Connection } from 'jsforce';
import { DEMO_SALES_REPS } from '../../src/demo';
import { startHubSpotSandbox } from '../../src/hubspot';
import { startSalesforceSandbox } from '../../src/salesforce';
import {
  type SimContact,
  type SimHubSpot,
  type SimWriteSource,
  startSimulation,
  type Timers,
} from '../../src/simulate';

type HubSpotSandbox = Awaited<ReturnType<typeof startHubSpotSandbox>>;
type SalesforceSandbox = Awaited<ReturnType<typeof startSalesforceSandbox>>;

const START = Date.parse('2026-03-02T09:00:00.000Z');

const STAGES = [
  'subscriber',
  'lead',
  'lead',
  'marketingqualifiedlead',
  'salesqualifiedlead',
  'opportunity',
  'customer',
] as const;

/** A small contact store with the HubSpot sandbox's semantics (email unique, "" clears). */
class FakeHubSpot implements SimHubSpot {
  readonly records: { id: string; properties: Record<string, string>; source?: string }[] = [];
  readonly properties = { contacts: { has: (name: string) => this.defined.has(name) } };
  constructor(private readonly defined: ReadonlySet<string> = new Set()) {}
  readonly contacts = {
    active: () => this.records,
    findByUnique: (email: string) =>
      this.records.find((r) => r.properties.email?.toLowerCase() === email.toLowerCase()),
    insert: (values: Readonly<Record<string, string>>, _now: number, _createdAt?: number, source?: SimWriteSource) => {
      const record = { id: String(1001 + this.records.length), properties: { ...values }, source: source?.sourceType };
      this.records.push(record);
      return record;
    },
    update: (record: SimContact, values: Readonly<Record<string, string>>, _now: number, source?: SimWriteSource) => {
      const target = this.records.find((r) => r.id === record.id);
      if (!target) throw new Error(`no contact ${record.id}`);
      Object.assign(target.properties, values);
      target.source = source?.sourceType;
      return Object.keys(values);
    },
  };

  static seeded(count: number, defined?: ReadonlySet<string>): FakeHubSpot {
    const hs = new FakeHubSpot(defined);
    for (let i = 0; i < count; i++) {
      hs.contacts.insert(
        {
          email: `c${i}@example.com`,
          lifecyclestage: STAGES[i % STAGES.length] ?? 'lead',
          hubspotscore: String((i * 7) % 60),
        },
        START,
      );
    }
    return hs;
  }

  scores(): Map<string, number> {
    return new Map(this.records.map((c) => [c.id, Number(c.properties.hubspotscore ?? '0')]));
  }
}

const MINUTE = 60_000;
const QUIET_MARKETING = { pageViewsPerTick: 0, formSubmissionsPerTick: 0, newContactsPerTick: 0 };

describe('sandbox simulation', () => {
  let clock = START;
  let hubspot: FakeHubSpot;
  let salesforce: SalesforceSandbox;
  let conn: Connection;
  let repId: string;

  beforeEach(async () => {
    clock = START;
    hubspot = FakeHubSpot.seeded(140);
    salesforce = await startSalesforceSandbox({ now: () => clock });
    conn = new Connection({ instanceUrl: salesforce.url, accessToken: salesforce.accessToken, version: '62.0' });
    repId =
      (await conn.query<{ Id: string }>(`SELECT Id FROM User WHERE Email = '${DEMO_SALES_REPS[0]?.email ?? ''}'`))
        .records[0]?.Id ?? '';
  });
  afterEach(async () => {
    await salesforce.close();
  });

  describe('marketing', () => {
    test('page views and form submissions raise scores, capped at 100, as calculated values', () => {
      const before = hubspot.scores();
      const sim = startSimulation({
        now: () => clock,
        hubspot,
        salesforce: salesforce.state,
        seed: 7,
        timers: false,
        marketing: { pageViewsPerTick: 20, formSubmissionsPerTick: 3, newContactsPerTick: 0 },
      });
      for (let i = 0; i < 30; i++) {
        clock += 1000;
        sim.tick();
      }
      expect(sim.totals()).toMatchObject({ tick: 30, pageViews: 600, formSubmissions: 90, newContacts: 0 });
      let raised = 0;
      for (const [id, score] of hubspot.scores()) {
        expect(score).toBeGreaterThanOrEqual(before.get(id) ?? 0);
        expect(score).toBeLessThanOrEqual(100);
        if (score > (before.get(id) ?? 0)) {
          raised++;
          expect(hubspot.records.find((r) => r.id === id)?.source).toBe('CALCULATED');
        }
      }
      expect(raised).toBeGreaterThan(20);
    });

    test('activity counters are written when the portal defines them', () => {
      hubspot = FakeHubSpot.seeded(
        10,
        new Set([
          'hs_analytics_num_page_views',
          'num_conversion_events',
          'recent_conversion_date',
          'recent_conversion_event_name',
        ]),
      );
      const sim = startSimulation({
        now: () => clock,
        hubspot,
        salesforce: salesforce.state,
        seed: 2,
        timers: false,
        marketing: { pageViewsPerTick: 30, formSubmissionsPerTick: 5, newContactsPerTick: 0 },
      });
      sim.tick();
      const marketing = hubspot.records.filter((r) =>
        ['subscriber', 'lead', 'marketingqualifiedlead'].includes(r.properties.lifecyclestage ?? ''),
      );
      const views = marketing.reduce((n, r) => n + Number(r.properties.hs_analytics_num_page_views ?? '0'), 0);
      const conversions = marketing.reduce((n, r) => n + Number(r.properties.num_conversion_events ?? '0'), 0);
      expect([views, conversions]).toEqual([30, 5]);
      const converted = marketing.find((r) => r.properties.num_conversion_events !== undefined);
      expect(converted?.properties.recent_conversion_date).toBe(new Date(START).toISOString());
      expect(converted?.properties.recent_conversion_event_name).toEqual(expect.any(String));
    });

    test('a portal with lead_score gets the same points there, written by its scoring app', () => {
      hubspot = FakeHubSpot.seeded(40, new Set(['lead_score']));
      for (const r of hubspot.records) r.properties.lead_score = r.properties.hubspotscore ?? '0';
      const before = hubspot.scores();
      const sim = startSimulation({
        now: () => clock,
        hubspot,
        salesforce: salesforce.state,
        seed: 6,
        timers: false,
        marketing: { pageViewsPerTick: 20, formSubmissionsPerTick: 3, newContactsPerTick: 1 },
      });
      for (let i = 0; i < 10; i++) sim.tick();
      expect(sim.totals().newContacts).toBeGreaterThan(0);
      let raised = 0;
      for (const r of hubspot.records) {
        expect(r.properties.lead_score).toBe(r.properties.hubspotscore);
        if (Number(r.properties.lead_score) > (before.get(r.id) ?? 0)) {
          raised++;
          // The scoring app's write comes after HubSpot's calculation.
          expect(r.source).toBe('INTEGRATION');
        }
      }
      expect(raised).toBeGreaterThan(10);
    });

    test('only contacts still with marketing are scored', async () => {
      const sales = new Set(
        hubspot.records
          .filter((c) => ['salesqualifiedlead', 'opportunity', 'customer'].includes(c.properties.lifecyclestage ?? ''))
          .map((c) => c.id),
      );
      const before = hubspot.scores();
      const sim = startSimulation({
        now: () => clock,
        hubspot,
        salesforce: salesforce.state,
        seed: 3,
        timers: false,
        marketing: { pageViewsPerTick: 50, newContactsPerTick: 0 },
      });
      for (let i = 0; i < 10; i++) sim.tick();
      for (const id of sales) expect(hubspot.scores().get(id)).toBe(before.get(id));
    });

    test('new contacts sign up with unique emails and a low score', () => {
      const count = hubspot.records.length;
      const sim = startSimulation({
        now: () => clock,
        hubspot,
        salesforce: salesforce.state,
        seed: 11,
        timers: false,
        marketing: { pageViewsPerTick: 0, formSubmissionsPerTick: 0, newContactsPerTick: 2 },
      });
      for (let i = 0; i < 50; i++) sim.tick();
      const contacts = hubspot.records;
      expect(contacts).toHaveLength(count + 100);
      const fresh = contacts.slice(count);
      expect(new Set(contacts.map((c) => c.properties.email)).size).toBe(contacts.length);
      for (const c of fresh) {
        expect(c.properties.email).toMatch(/^[a-z]+\.[a-z]+\d*@[a-z.]+$/);
        expect(['lead', 'subscriber']).toContain(c.properties.lifecyclestage);
        expect(Number(c.properties.hubspotscore)).toBeLessThanOrEqual(15);
        expect(c.source).toBe('FORM');
      }
    });

    test('contacts can be promoted to MQL at a score, as a lifecycle workflow would', () => {
      const sim = startSimulation({
        now: () => clock,
        hubspot,
        salesforce: salesforce.state,
        seed: 5,
        timers: false,
        marketing: { pageViewsPerTick: 40, formSubmissionsPerTick: 10, newContactsPerTick: 0, promoteToMqlAtScore: 70 },
      });
      for (let i = 0; i < 20; i++) sim.tick();
      for (const c of hubspot.records) {
        if (['subscriber', 'lead'].includes(c.properties.lifecyclestage ?? ''))
          expect(Number(c.properties.hubspotscore)).toBeLessThan(70);
      }
    });
  });

  describe('sales', () => {
    const newLead = async (values: Record<string, unknown> = {}) => {
      const r = await conn.sobject('Lead').create({ LastName: 'Touch', Company: 'Sim Co', OwnerId: repId, ...values });
      if (!r.success) throw new Error('lead not created');
      return r.id;
    };
    const tasksOn = (leadId: string) =>
      conn.query<{
        WhoId: string;
        OwnerId: string;
        Status: string;
        TaskSubtype: string;
        IsClosed: boolean;
        CreatedById: string;
        CreatedDate: string;
      }>(
        `SELECT WhoId, OwnerId, Status, TaskSubtype, IsClosed, CreatedById, CreatedDate FROM Task WHERE WhoId = '${leadId}'`,
      );

    test('a rep logs a completed Task on a new Lead after the delay, and marks it Working', async () => {
      const leadId = await newLead();
      const sim = startSimulation({
        now: () => clock,
        hubspot,
        salesforce: salesforce.state,
        seed: 1,
        timers: false,
        marketing: QUIET_MARKETING,
        sales: { taskDelayMs: 10 * MINUTE, taskDelayJitterMs: 0, touchProbability: 1 },
      });
      sim.tick();
      clock += 9 * MINUTE;
      sim.tick();
      expect((await tasksOn(leadId)).totalSize).toBe(0);
      clock += MINUTE;
      sim.tick();
      const tasks = await tasksOn(leadId);
      expect(tasks.totalSize).toBe(1);
      expect(tasks.records[0]).toMatchObject({
        WhoId: leadId,
        OwnerId: repId,
        Status: 'Completed',
        IsClosed: true,
        CreatedById: repId,
        CreatedDate: '2026-03-02T09:10:00.000+0000',
      });
      expect(['Call', 'Email']).toContain(tasks.records[0]?.TaskSubtype);
      expect((await conn.sobject('Lead').retrieve(leadId)).Status).toBe('Working - Contacted');
      clock += 60 * MINUTE;
      sim.tick();
      expect((await tasksOn(leadId)).totalSize).toBe(1);
    });

    test('queue-owned, contacted and converted Leads are left alone; a reassignment restarts the clock', async () => {
      const queueId =
        (await conn.query<{ Id: string }>("SELECT Id FROM Group WHERE Type = 'Queue'")).records[0]?.Id ?? '';
      const queued = await newLead({ OwnerId: queueId });
      const working = await newLead({ Status: 'Working - Contacted' });
      const reassigned = await newLead();
      const sim = startSimulation({
        now: () => clock,
        hubspot,
        salesforce: salesforce.state,
        seed: 1,
        timers: false,
        marketing: QUIET_MARKETING,
        sales: { taskDelayMs: 10 * MINUTE, taskDelayJitterMs: 0, touchProbability: 1 },
      });
      sim.tick();
      clock += 5 * MINUTE;
      const other =
        (await conn.query<{ Id: string }>(`SELECT Id FROM User WHERE Email = '${DEMO_SALES_REPS[1]?.email ?? ''}'`))
          .records[0]?.Id ?? '';
      await conn.sobject('Lead').update({ Id: reassigned, OwnerId: other });
      sim.tick();
      clock += 6 * MINUTE;
      sim.tick();
      expect((await tasksOn(reassigned)).totalSize).toBe(0);
      clock += 5 * MINUTE;
      sim.tick();
      expect((await tasksOn(reassigned)).records.map((t) => t.OwnerId)).toEqual([other]);
      expect((await tasksOn(queued)).totalSize).toBe(0);
      expect((await tasksOn(working)).totalSize).toBe(0);
    });

    test('with touchProbability 0 nobody is contacted: SLA breaches for the demo', async () => {
      const leadId = await newLead();
      const sim = startSimulation({
        now: () => clock,
        hubspot,
        salesforce: salesforce.state,
        seed: 1,
        timers: false,
        marketing: QUIET_MARKETING,
        sales: { taskDelayMs: MINUTE, touchProbability: 0 },
      });
      for (let i = 0; i < 10; i++) {
        clock += MINUTE;
        sim.tick();
      }
      expect((await tasksOn(leadId)).totalSize).toBe(0);
      expect(sim.totals().tasksLogged).toBe(0);
    });
  });

  test('the same seed plays the same life', async () => {
    const run = async (seed: number) => {
      clock = START;
      const hs = FakeHubSpot.seeded(140);
      const sf = await startSalesforceSandbox({ now: () => clock, preset: 'demo' });
      try {
        const sim = startSimulation({
          now: () => clock,
          hubspot: hs,
          salesforce: sf.state,
          seed,
          timers: false,
          sales: { taskDelayMs: 2 * MINUTE },
        });
        for (let i = 0; i < 40; i++) {
          clock += 10_000;
          sim.tick();
        }
        const contacts = hs.records.map((c) => [c.id, c.properties.email, c.properties.hubspotscore]);
        const tasks = [...sf.state.scan('Task')].map((t) => [t.Id, t.WhoId, t.OwnerId, t.TaskSubtype, t.CreatedDate]);
        return { contacts, tasks, totals: sim.totals() };
      } finally {
        await sf.close();
      }
    };
    const first = await run(42);
    expect(first.totals.tasksLogged).toBeGreaterThan(0);
    expect(first.totals.newContacts).toBeGreaterThan(0);
    expect(await run(42)).toEqual(first);
    expect((await run(43)).contacts).not.toEqual(first.contacts);
  });

  test('plays against the HubSpot sandbox itself: scores show through the CRM API', async () => {
    const hs: HubSpotSandbox = await startHubSpotSandbox({ now: () => clock, preset: 'demo' });
    try {
      const before = new Map([...hs.state.contacts.active()].map((c) => [c.id, c.properties.hubspotscore]));
      const sim = startSimulation({
        now: () => clock,
        hubspot: hs.state,
        salesforce: salesforce.state,
        seed: 4,
        timers: false,
        marketing: { pageViewsPerTick: 30, formSubmissionsPerTick: 5, newContactsPerTick: 1 },
      });
      clock += 1000;
      sim.tick();
      const changed = [...hs.state.contacts.active()].find(
        (c) => before.has(c.id) && before.get(c.id) !== c.properties.hubspotscore,
      );
      const res = await fetch(
        `${hs.url}/crm/v3/objects/contacts/${changed?.id ?? ''}?properties=hubspotscore,lead_score&propertiesWithHistory=lead_score`,
        {
          headers: { Authorization: `Bearer ${hs.accessToken}` },
        },
      );
      const body = (await res.json()) as {
        properties: { hubspotscore: string; lead_score: string; lastmodifieddate: string };
        propertiesWithHistory: { lead_score: { value: string; sourceType: string; sourceId?: string }[] };
      };
      expect(body.properties.hubspotscore).toBe(changed?.properties.hubspotscore);
      // The demo's scoring app raised its lead_score by the same points, through its own write.
      expect(body.properties.lead_score).toBe(changed?.properties.hubspotscore);
      expect(body.propertiesWithHistory.lead_score[0]).toEqual(
        expect.objectContaining({ value: body.properties.lead_score, sourceType: 'INTEGRATION', sourceId: '2417309' }),
      );
      expect(body.properties.lastmodifieddate).toBe(new Date(clock).toISOString());
      expect([...hs.state.contacts.active()].length).toBe(before.size + 1);
    } finally {
      await hs.close();
    }
  });

  test('ticks come from the timers until stop(); a failing tick is reported and the next one runs', () => {
    const scheduled: { callback: () => void; ms: number }[] = [];
    let cleared = 0;
    const timers: Timers = {
      setInterval: (callback, ms) => scheduled.push({ callback, ms }),
      clearInterval: () => cleared++,
    };
    const errors: unknown[] = [];
    let broken = true;
    const failing: SimHubSpot = {
      contacts: {
        ...hubspot.contacts,
        active: () => {
          if (broken) throw new Error('store unavailable');
          return hubspot.contacts.active();
        },
      },
    };
    const sim = startSimulation({
      now: () => clock,
      hubspot: failing,
      salesforce: salesforce.state,
      seed: 9,
      tickMs: 250,
      timers,
      onError: (e) => errors.push(e),
      marketing: { pageViewsPerTick: 5 },
    });
    expect(scheduled).toHaveLength(1);
    expect(scheduled[0]?.ms).toBe(250);
    scheduled[0]?.callback();
    expect(errors).toHaveLength(1);
    broken = false;
    scheduled[0]?.callback();
    expect(errors).toHaveLength(1);
    expect(sim.totals().pageViews).toBe(5);
    sim.stop();
    sim.stop();
    expect(cleared).toBe(1);
  });
});
