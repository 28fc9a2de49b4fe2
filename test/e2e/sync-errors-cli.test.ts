import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store';

/**
 * `baton sync errors` as RevOps run it (the compiled CLI): by default it lists what still
 * needs attention, open errors and those Baton gave up on, with what happens next.
 */
const ROOT = path.join(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'baton.js');

describe('baton sync errors', () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'baton-errors-'));
  const env = {
    ...process.env,
    BATON_HOME: home,
    BATON_DATABASE_URL: `sqlite://${path.join(home, 'baton.db')}`,
    BATON_LOG_LEVEL: 'warn',
  };
  const baton = (...args: string[]) =>
    execFileSync(process.execPath, [CLI, 'sync', 'errors', ...args], { cwd: ROOT, env, encoding: 'utf8' });

  beforeAll(async () => {
    const store = await openStore(env.BATON_DATABASE_URL);
    try {
      await store.syncErrors.record([
        {
          mapping: 'contact',
          direction: 'to_salesforce',
          sourceId: '101',
          reason: 'LastName is required',
          errorCode: 'REQUIRED_FIELD_MISSING',
        },
        {
          mapping: 'contact',
          direction: 'to_salesforce',
          sourceId: '102',
          reason: 'the Lead was converted',
          errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
          retry: false,
        },
        {
          mapping: 'contact',
          direction: 'to_hubspot',
          sourceId: '00Q000000000003',
          reason: 'invalid email',
          errorCode: 'INVALID_EMAIL',
        },
      ]);
      await store.syncErrors.resolve('contact', 'to_hubspot', ['00Q000000000003']);
    } finally {
      await store.close();
    }
  });
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

  it('lists open and given-up errors by default, each with what happens next', () => {
    const out = baton();
    expect(out).toContain('contact to_salesforce 101 [REQUIRED_FIELD_MISSING] open, attempts 1, next retry ');
    expect(out).toContain('contact to_salesforce 102 [CANNOT_UPDATE_CONVERTED_LEAD] gave_up');
    expect(out).toContain('not retried: fix the record or the mapping, then `baton sync retry`');
    expect(out).not.toContain('00Q000000000003');
    expect(out.trim().split('\n').at(-1)).toBe('2 unresolved error(s)');
  });

  it('narrows to one status, or shows all of them as JSON', () => {
    expect(baton('--status', 'resolved')).toContain('contact to_hubspot 00Q000000000003 [INVALID_EMAIL] resolved');
    const all = JSON.parse(baton('--status', 'all', '--json')) as { sourceId: string; status: string }[];
    expect(all.map((e) => [e.sourceId, e.status]).sort()).toEqual([
      ['00Q000000000003', 'resolved'],
      ['101', 'open'],
      ['102', 'gave_up'],
    ]);
  });

  it('resolves errors by hand, and says so when there is nothing to resolve', () => {
    expect(execFileSync(process.execPath, [CLI, 'sync', 'resolve', '102'], { cwd: ROOT, env, encoding: 'utf8' })).toBe(
      '1 error(s) resolved\n',
    );
    const out = baton();
    expect(out).not.toContain(' 102 ');
    expect(out.trim().split('\n').at(-1)).toBe('1 unresolved error(s)');
    let failure: { status?: number; stderr?: string } = {};
    try {
      execFileSync(process.execPath, [CLI, 'sync', 'resolve', '102', '--direction', 'to_salesforce'], {
        cwd: ROOT,
        env,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (err) {
      failure = err as { status?: number; stderr?: string };
    }
    expect(failure.status).toBe(1);
    expect(failure.stderr).toContain('No open or given-up error of mapping contact for 102');
  });

  it('refuses an unknown status, naming the choices', () => {
    expect(() =>
      execFileSync(process.execPath, [CLI, 'sync', 'errors', '--status', 'broken'], {
        cwd: ROOT,
        env,
        encoding: 'utf8',
        stdio: 'pipe',
      }),
    ).toThrow(/unresolved, open, gave_up, resolved, all/);
  });
});
