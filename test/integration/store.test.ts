import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  openStore,
  syncErrorRetryDelayMs,
  type OpenStoreOptions,
  type RecordLinkInput,
  type Store,
} from '../../src/store';

const PG_URL = process.env.BATON_TEST_POSTGRES_URL ?? 'postgres://root@127.0.0.1:5432/test';

const TABLES = [
  'cursors',
  'record_links',
  'snapshots',
  'sync_errors',
  'handover_events',
  'routing_counters',
  'webhook_deliveries',
  'record_orphans',
  'creation_claims',
];

/** A place for one test run's data, dropped afterwards, so parallel runs never share state. */
interface Target {
  /** Opens a store on this target (a fresh place when `fresh` is set). */
  open(opts: OpenStoreOptions, fresh?: string): Promise<Store>;
  cleanup(): Promise<void>;
}

function sqliteTarget(): Target {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-store-'));
  return {
    open: (opts, fresh) => openStore(`sqlite://${path.join(dir, `${fresh ?? 'baton'}.db`)}`, opts),
    cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresTarget(): Target {
  const run = `baton_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const schemas = new Set<string>();
  return {
    async open(opts, fresh) {
      const schema = fresh === undefined ? run : `${run}_${fresh}`;
      schemas.add(schema);
      try {
        return await openStore(PG_URL, { ...opts, schema });
      } catch (err) {
        // Fail, never skip: CI starts PostgreSQL, so a missing server is a broken setup.
        const message = err instanceof Error ? err.message : String(err);
        throw new Error(
          `The PostgreSQL store tests need a server at BATON_TEST_POSTGRES_URL (default postgres://root@127.0.0.1:5432/test). ${message}`,
        );
      }
    },
    async cleanup() {
      if (schemas.size === 0) return;
      const admin = await openStore(PG_URL, { migrate: false }).catch(() => null);
      if (admin === null) return;
      try {
        for (const schema of schemas) await admin.schema.dropSchema(schema);
      } finally {
        await admin.close();
      }
    },
  };
}

/** Runs `migrate()` of the store's SQLite file in a separate Node process (the compiled store, built by `npm test`). */
function migrateInChild(store: Store): Promise<void> {
  const filename = store.schema.sqliteFilename();
  if (filename === null) throw new Error('migrateInChild needs a SQLite store');
  const dist = path.join(__dirname, '..', '..', 'dist', 'src', 'store');
  const script = `require(${JSON.stringify(dist)}).openStore(${JSON.stringify(`sqlite://${filename}`)}).then((s) => s.close()).catch((e) => { console.error(String(e)); process.exit(1); })`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], (err, _stdout, stderr) =>
      err ? reject(new Error(stderr || String(err))) : resolve(),
    );
  });
}

const T0 = new Date('2024-05-01T09:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each([
  ['sqlite', sqliteTarget],
  ['postgres', postgresTarget],
] as const)('store on %s', (dialect, makeTarget) => {
  const target = makeTarget();
  let now = T0;
  const clock = () => now;
  let store: Store;

  beforeAll(async () => {
    store = await target.open({ clock });
  });

  afterAll(async () => {
    await store?.close();
    await target.cleanup();
  });

  beforeEach(() => {
    now = T0;
  });

  describe('migrations', () => {
    test('reports its dialect and creates every table', async () => {
      expect(store.dialect).toBe(dialect);
      for (const table of TABLES) expect(await store.schema.hasTable(table)).toBe(true);
    });

    test('migrate is idempotent', async () => {
      await store.migrate();
      await store.migrate();
      const applied = await store.schema.appliedMigrations();
      expect(applied).toEqual(['0001_initial', '0002_orphans', '0003_creation_claims']);
    });

    test('migrates down and up again', async () => {
      await store.schema.rollbackAll();
      for (const table of TABLES) expect(await store.schema.hasTable(table)).toBe(false);
      await store.migrate();
      for (const table of TABLES) expect(await store.schema.hasTable(table)).toBe(true);
    });

    // On SQLite both stores share this process and better-sqlite3 waits for locks
    // synchronously, so the loser sits out busy_timeout (5 s) before it retries.
    test('two processes migrating the same fresh database at once both succeed', async () => {
      const a = await target.open({ migrate: false }, 'concurrent');
      const b = await target.open({ migrate: false }, 'concurrent');
      try {
        // SQLite's driver blocks its process while it waits for a lock, so two stores in one
        // process would wait on each other: there, the two migrations run in two processes.
        const results =
          dialect === 'sqlite'
            ? await Promise.allSettled([migrateInChild(a), migrateInChild(b)])
            : await Promise.allSettled([a.migrate(), b.migrate()]);
        expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : r.status))).toEqual([
          'fulfilled',
          'fulfilled',
        ]);
        for (const table of TABLES) expect(await a.schema.hasTable(table)).toBe(true);
        expect((await a.schema.appliedMigrations()).length).toBe(3);
      } finally {
        await a.close();
        await b.close();
      }
    });

    if (dialect === 'sqlite') {
      test('SQLite connections use WAL and enforce foreign keys', async () => {
        expect(await store.schema.sqlitePragma('journal_mode')).toBe('wal');
        expect(await store.schema.sqlitePragma('foreign_keys')).toBe(1);
      });
    }
  });

  describe('creation claims', () => {
    test('one holder per contact; the other gets only what is free, and a holder keeps what it holds', async () => {
      expect([...(await store.claims.claim('contact', ['h1', 'h2'], 'sync:a', 600_000))].sort()).toEqual(['h1', 'h2']);
      expect([...(await store.claims.claim('contact', ['h2', 'h3'], 'handover:b', 600_000))]).toEqual(['h3']);
      // A retried attempt of the same holder still holds its claims.
      expect([...(await store.claims.claim('contact', ['h1', 'h2'], 'sync:a', 600_000))].sort()).toEqual(['h1', 'h2']);
      // Claims are per mapping.
      expect([...(await store.claims.claim('other', ['h1'], 'handover:b', 600_000))]).toEqual(['h1']);
    });

    test('released claims and expired claims go to the next holder', async () => {
      await store.claims.claim('contact', ['h1', 'h2'], 'sync:a', 600_000);
      await store.claims.release('contact', ['h1'], 'sync:a');
      // Releasing someone else's claim does nothing.
      await store.claims.release('contact', ['h2'], 'handover:b');
      expect([...(await store.claims.claim('contact', ['h1', 'h2'], 'handover:b', 600_000))]).toEqual(['h1']);
      now = at(600_001);
      expect([...(await store.claims.claim('contact', ['h2'], 'handover:b', 600_000))]).toEqual(['h2']);
    });

    test('concurrent claims of the same contacts give each contact to exactly one holder', async () => {
      const ids = Array.from({ length: 50 }, (_, i) => `c${i}`);
      const holders = ['sync:1', 'handover:2', 'handover:3', 'sync:4'];
      const results = await Promise.all(holders.map((h) => store.claims.claim('contact', ids, h, 600_000)));
      const owners = ids.map((id) => results.filter((r) => r.has(id)).length);
      expect(owners.every((n) => n === 1)).toBe(true);
    });
  });

  describe('cursors', () => {
    test('round-trip JSON values by name', async () => {
      expect(await store.cursors.get('contact:hubspot')).toBeNull();
      const cursor = { lastmodifieddate: '2024-05-01T08:59:59.123Z', id: '1234567890' };
      await store.cursors.set('contact:hubspot', cursor);
      expect(await store.cursors.get<typeof cursor>('contact:hubspot')).toEqual(cursor);

      await store.cursors.set('contact:hubspot', { lastmodifieddate: '2024-05-02T00:00:00.000Z', id: '2' });
      expect(await store.cursors.get('contact:hubspot')).toEqual({
        lastmodifieddate: '2024-05-02T00:00:00.000Z',
        id: '2',
      });

      for (const value of [42, 'opaque', [1, 'two', { three: null }], true, { nested: { emoji: 'Zoë 🚀' } }]) {
        await store.cursors.set('contact:salesforce', value);
        expect(await store.cursors.get('contact:salesforce')).toEqual(value);
      }
      expect(await store.cursors.get('contact:hubspot')).toEqual({
        lastmodifieddate: '2024-05-02T00:00:00.000Z',
        id: '2',
      });
    });

    test('refuses undefined', async () => {
      await expect(store.cursors.set('x', undefined)).rejects.toThrow(/undefined/);
    });
  });

  describe('record links', () => {
    const links = (mapping: string, n: number): RecordLinkInput[] =>
      Array.from({ length: n }, (_, i) => ({
        mapping,
        hubspotId: `${100000 + i}`,
        salesforceObject: 'Contact',
        salesforceId: `003${String(i).padStart(15, '0')}`,
      }));

    test('upsert and find both ways with more than 1,000 ids', async () => {
      const input = links('links-big', 1_234);
      await store.links.upsert(input);
      await store.links.upsert(links('links-other', 5));

      const hubspotIds = [...input.map((l) => l.hubspotId), 'missing-1', 'missing-2', input[0]!.hubspotId];
      const byHubSpot = await store.links.findByHubSpotIds('links-big', hubspotIds);
      expect(byHubSpot).toHaveLength(1_234);
      expect(new Set(byHubSpot.map((l) => l.hubspotId))).toEqual(new Set(input.map((l) => l.hubspotId)));

      const bySalesforce = await store.links.findBySalesforceIds(
        'links-big',
        input.map((l) => l.salesforceId),
      );
      expect(bySalesforce).toHaveLength(1_234);
      const first = bySalesforce.find((l) => l.hubspotId === '100000');
      expect(first).toEqual({
        mapping: 'links-big',
        hubspotId: '100000',
        salesforceObject: 'Contact',
        salesforceId: '003000000000000000',
        createdAt: T0,
        updatedAt: T0,
      });
      expect(await store.links.findByHubSpotIds('links-big', [])).toEqual([]);
    });

    test('a conflict on (mapping, hubspot id) replaces the Salesforce side and keeps createdAt', async () => {
      await store.links.upsert(links('links-update', 2));
      now = at(60_000);
      await store.links.upsert([
        { mapping: 'links-update', hubspotId: '100000', salesforceObject: 'Lead', salesforceId: '00Q000000000000AAA' },
        // the same key twice in one batch: the last one wins
        { mapping: 'links-update', hubspotId: '100001', salesforceObject: 'Contact', salesforceId: 'first' },
        { mapping: 'links-update', hubspotId: '100001', salesforceObject: 'Contact', salesforceId: 'second' },
      ]);
      const found = await store.links.findByHubSpotIds('links-update', ['100000', '100001']);
      const byId = new Map(found.map((l) => [l.hubspotId, l]));
      expect(byId.get('100000')).toMatchObject({
        salesforceObject: 'Lead',
        salesforceId: '00Q000000000000AAA',
        createdAt: T0,
        updatedAt: at(60_000),
      });
      expect(byId.get('100001')?.salesforceId).toBe('second');
      expect(await store.links.findBySalesforceIds('links-update', ['003000000000000000'])).toEqual([]);
    });

    test('links are scoped by mapping', async () => {
      await store.links.upsert(links('links-scope-a', 1));
      expect(await store.links.findByHubSpotIds('links-scope-b', ['100000'])).toEqual([]);
      expect(await store.links.findBySalesforceIds('links-scope-b', ['003000000000000000'])).toEqual([]);
    });
  });

  describe('snapshots', () => {
    test('put and get per side, overwrite, and more than 1,000 ids', async () => {
      const n = 1_100;
      const ids = Array.from({ length: n }, (_, i) => `hs-${i}`);
      await store.links.upsert(
        ids.map((id, i) => ({ mapping: 'snap', hubspotId: id, salesforceObject: 'Contact', salesforceId: `sf-${i}` })),
      );
      await store.links.putSnapshots(
        ids.map((id) => ({
          mapping: 'snap',
          hubspotId: id,
          hubspot: { email: `${id}@example.com`, phone: null },
          salesforce: { Email: `${id}@example.com` },
        })),
      );
      const all = await store.links.getSnapshots('snap', [...ids, 'hs-missing']);
      expect(all.size).toBe(n);
      expect(all.has('hs-missing')).toBe(false);
      expect(all.get('hs-7')).toEqual({
        mapping: 'snap',
        hubspotId: 'hs-7',
        hubspot: { email: 'hs-7@example.com', phone: null },
        salesforce: { Email: 'hs-7@example.com' },
        syncedAt: T0,
      });

      await store.links.putSnapshots([
        {
          mapping: 'snap',
          hubspotId: 'hs-7',
          hubspot: { email: 'new@example.com' },
          salesforce: { Email: 'new@example.com', Phone: '+1 555' },
          syncedAt: at(5_000),
        },
      ]);
      expect((await store.links.getSnapshots('snap', ['hs-7'])).get('hs-7')).toEqual({
        mapping: 'snap',
        hubspotId: 'hs-7',
        hubspot: { email: 'new@example.com' },
        salesforce: { Email: 'new@example.com', Phone: '+1 555' },
        syncedAt: at(5_000),
      });
      expect((await store.links.getSnapshots('other-mapping', ['hs-7'])).size).toBe(0);
    });

    test('a snapshot needs its link', async () => {
      await expect(
        store.links.putSnapshots([{ mapping: 'snap-orphan', hubspotId: 'nope', hubspot: {}, salesforce: {} }]),
      ).rejects.toThrow();
    });
  });

  describe('sync errors', () => {
    const error = (mapping: string, sourceId: string, reason = 'REQUIRED_FIELD_MISSING: LastName') => ({
      mapping,
      direction: 'to_salesforce' as const,
      sourceId,
      reason,
      errorCode: 'REQUIRED_FIELD_MISSING',
      payload: { Email: `${sourceId}@example.com`, LastName: null },
    });

    test('insert, repeat with backoff, due filtering and resolve', async () => {
      await store.syncErrors.record([error('errs', 'c1'), error('errs', 'c2')]);
      const [c1] = await store.syncErrors.list({ mapping: 'errs', status: 'open', limit: 1 });
      expect(c1).toMatchObject({
        mapping: 'errs',
        direction: 'to_salesforce',
        reason: 'REQUIRED_FIELD_MISSING: LastName',
        errorCode: 'REQUIRED_FIELD_MISSING',
        attempts: 1,
        status: 'open',
        firstSeenAt: T0,
        lastSeenAt: T0,
        nextAttemptAt: at(60_000),
        resolvedAt: null,
      });
      expect(typeof c1?.id).toBe('number');
      expect(c1?.payload).toEqual({ Email: `${c1?.sourceId}@example.com`, LastName: null });

      now = at(10_000);
      await store.syncErrors.record([
        { ...error('errs', 'c1', 'FIELD_CUSTOM_VALIDATION_EXCEPTION: bad phone'), errorCode: null, payload: [1] },
      ]);
      const repeated = (await store.syncErrors.list({ mapping: 'errs' })).find((e) => e.sourceId === 'c1');
      expect(repeated).toMatchObject({
        attempts: 2,
        reason: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: bad phone',
        errorCode: null,
        payload: [1],
        firstSeenAt: T0,
        lastSeenAt: at(10_000),
        nextAttemptAt: at(10_000 + 120_000),
        status: 'open',
      });

      expect(await store.syncErrors.due('errs', 'to_salesforce', at(59_999), 10)).toEqual([]);
      expect((await store.syncErrors.due('errs', 'to_salesforce', at(60_000), 10)).map((e) => e.sourceId)).toEqual([
        'c2',
      ]);
      expect((await store.syncErrors.due('errs', 'to_salesforce', at(200_000), 10)).map((e) => e.sourceId)).toEqual([
        'c2',
        'c1',
      ]);
      expect((await store.syncErrors.due('errs', 'to_salesforce', at(200_000), 1)).map((e) => e.sourceId)).toEqual([
        'c2',
      ]);
      expect(await store.syncErrors.due('errs', 'to_hubspot', at(200_000), 10)).toEqual([]);
      expect(await store.syncErrors.due('errs-other', 'to_salesforce', at(200_000), 10)).toEqual([]);

      now = at(300_000);
      expect(await store.syncErrors.resolve('errs', 'to_salesforce', ['c1', 'not-an-error'])).toBe(1);
      expect(await store.syncErrors.resolve('errs', 'to_salesforce', ['c1'])).toBe(0);
      expect(await store.syncErrors.resolve('errs', 'to_hubspot', ['c2'])).toBe(0);
      expect((await store.syncErrors.due('errs', 'to_salesforce', at(10_000_000), 10)).map((e) => e.sourceId)).toEqual([
        'c2',
      ]);
      const [resolved] = await store.syncErrors.list({ mapping: 'errs', status: 'resolved' });
      expect(resolved).toMatchObject({ sourceId: 'c1', status: 'resolved', resolvedAt: at(300_000), attempts: 2 });

      // Failing again after it was resolved opens a fresh schedule.
      now = at(400_000);
      await store.syncErrors.record([error('errs', 'c1')]);
      expect(
        (await store.syncErrors.list({ mapping: 'errs', status: 'open' })).find((e) => e.sourceId === 'c1'),
      ).toMatchObject({
        attempts: 1,
        firstSeenAt: at(400_000),
        nextAttemptAt: at(460_000),
        resolvedAt: null,
      });
    });

    test('backoff doubles up to the cap and gives up after maxAttempts', async () => {
      for (let attempt = 1; attempt <= 12; attempt++) {
        now = at(attempt * 1_000);
        await store.syncErrors.record([error('errs-backoff', 'c1')]);
        const [e] = await store.syncErrors.list({ mapping: 'errs-backoff' });
        expect(e?.attempts).toBe(attempt);
        expect(e!.nextAttemptAt.getTime() - e!.lastSeenAt.getTime()).toBe(syncErrorRetryDelayMs(attempt));
        expect(e?.status).toBe(attempt < 12 ? 'open' : 'gave_up');
      }
      expect(await store.syncErrors.due('errs-backoff', 'to_salesforce', at(10 ** 12), 10)).toEqual([]);
      expect(await store.syncErrors.resolve('errs-backoff', 'to_salesforce', ['c1'])).toBe(1);
    });

    test('batches of more than 1,000 errors', async () => {
      const ids = Array.from({ length: 1_050 }, (_, i) => `bulk-${i}`);
      await store.syncErrors.record(ids.map((id) => error('errs-bulk', id)));
      now = at(1_000);
      await store.syncErrors.record(ids.map((id) => error('errs-bulk', id)));
      const open = await store.syncErrors.list({ mapping: 'errs-bulk', status: 'open' });
      expect(open).toHaveLength(1_050);
      expect(open.every((e) => e.attempts === 2)).toBe(true);
      expect(await store.syncErrors.due('errs-bulk', 'to_salesforce', at(10 ** 9), 2_000)).toHaveLength(1_050);
      expect(await store.syncErrors.resolve('errs-bulk', 'to_salesforce', ids)).toBe(1_050);
      expect(await store.syncErrors.list({ mapping: 'errs-bulk', status: 'open' })).toEqual([]);
    });
  });

  describe('handover events', () => {
    test('append and filter by workflow, lead and type, oldest first', async () => {
      await store.handoverEvents.append([
        { workflowId: 'handover:1', hubspotId: '1', type: 'mql', data: { score: 87 }, occurredAt: at(0) },
        {
          workflowId: 'handover:1',
          hubspotId: '1',
          type: 'assigned',
          ownerId: '005A',
          data: { rule: 'region:emea' },
          occurredAt: at(2_000),
        },
        { workflowId: 'handover:2', hubspotId: '2', type: 'mql', occurredAt: at(1_000) },
      ]);
      const lead1 = await store.handoverEvents.list({ workflowId: 'handover:1' });
      expect(lead1.map((e) => e.type)).toEqual(['mql', 'assigned']);
      expect(lead1[1]).toMatchObject({
        workflowId: 'handover:1',
        hubspotId: '1',
        type: 'assigned',
        ownerId: '005A',
        data: { rule: 'region:emea' },
        occurredAt: at(2_000),
        eventKey: null,
      });
      expect(typeof lead1[0]?.id).toBe('number');

      expect((await store.handoverEvents.list({ hubspotId: '2' }))[0]).toMatchObject({ ownerId: null, data: null });
      const mqls = await store.handoverEvents.list({ type: 'mql' });
      expect(mqls.filter((e) => e.workflowId.startsWith('handover:')).map((e) => e.hubspotId)).toEqual(['1', '2']);
      expect(await store.handoverEvents.list({ workflowId: 'handover:1', type: 'mql' })).toHaveLength(1);
    });

    test('an event key makes a retried append idempotent', async () => {
      const event = {
        workflowId: 'handover:key',
        hubspotId: 'k',
        type: 'contacted',
        eventKey: 'handover:key:contacted:1',
      };
      await store.handoverEvents.append([event, { ...event, eventKey: undefined }]);
      await store.handoverEvents.append([event, event]);
      expect(await store.handoverEvents.list({ workflowId: 'handover:key' })).toHaveLength(2);
    });
  });

  describe('routing counters', () => {
    test('increments atomically under 50 concurrent calls', async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => store.routing.increment('emea', 'rep-1', '2024-05')),
      );
      expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(await store.routing.increment('emea', 'rep-2', '2024-05')).toBe(1);
      expect(await store.routing.increment('emea', 'rep-1', '2024-06')).toBe(1);
      expect(await store.routing.counts('emea', '2024-05')).toEqual(
        new Map([
          ['rep-1', 50],
          ['rep-2', 1],
        ]),
      );
    });
  });

  describe('webhook deliveries', () => {
    test('the first delivery is new, redeliveries are not, also when concurrent', async () => {
      expect(await store.webhookDeliveries.record('evt-1')).toBe(true);
      expect(await store.webhookDeliveries.record('evt-1')).toBe(false);
      const concurrent = await Promise.all(Array.from({ length: 20 }, () => store.webhookDeliveries.record('evt-2')));
      expect(concurrent.filter(Boolean)).toHaveLength(1);

      now = at(86_400_000);
      expect(await store.webhookDeliveries.record('evt-3')).toBe(true);
      expect(await store.webhookDeliveries.prune(at(1))).toBe(2);
      expect(await store.webhookDeliveries.record('evt-1')).toBe(true);
      expect(await store.webhookDeliveries.record('evt-3')).toBe(false);
    });
  });
});

describe('openStore errors', () => {
  test('an unreachable PostgreSQL fails with a clear message that hides the password', async () => {
    const quiet = { warn: () => undefined, error: () => undefined, debug: () => undefined, deprecate: () => undefined };
    const attempt = openStore('postgres://baton:s3cret@127.0.0.1:1/baton', { log: quiet });
    await expect(attempt).rejects.toThrow(
      /^Cannot connect to PostgreSQL at postgres:\/\/baton:\*\*\*@127\.0\.0\.1:1\/baton \(BATON_DATABASE_URL\): .*ECONNREFUSED/,
    );
    await expect(attempt).rejects.not.toThrow(/s3cret/);
  });

  test('an invalid schema name is refused before connecting', async () => {
    await expect(openStore(PG_URL, { schema: 'bad-name; drop' })).rejects.toThrow(/Invalid PostgreSQL schema name/);
  });
});
