import path from 'node:path';
import { knexConfigFromUrl, redactUrl, syncErrorRetryDelayMs, DEFAULT_SYNC_ERROR_BACKOFF } from '../../src/store';
import { chunk, lastByKey } from '../../src/store/rows';

function sqliteFilename(url: string): unknown {
  const config = knexConfigFromUrl(url);
  expect(config.client).toBe('better-sqlite3');
  expect(config.useNullAsDefault).toBe(true);
  return (config.connection as { filename: string }).filename;
}

describe('knexConfigFromUrl', () => {
  test.each([
    ['sqlite:///abs/path/baton.db', '/abs/path/baton.db'],
    ['sqlite://./rel/baton.db', path.resolve('rel/baton.db')],
    ['sqlite://rel.db', path.resolve('rel.db')],
    ['sqlite:///tmp/with%20space.db', '/tmp/with space.db'],
    ['file:///abs/baton.db', '/abs/baton.db'],
    ['file:/abs/baton.db', '/abs/baton.db'],
    ['file:./rel.db', path.resolve('rel.db')],
    ['file:rel.db?mode=rwc', path.resolve('rel.db')],
    [':memory:', ':memory:'],
    ['sqlite::memory:', ':memory:'],
    ['.baton/baton.db', path.resolve('.baton/baton.db')],
    ['/var/lib/baton/state.db', '/var/lib/baton/state.db'],
  ])('%s → better-sqlite3 at %s', (url, filename) => {
    expect(sqliteFilename(url)).toBe(filename);
  });

  test('SQLite pool sets WAL, foreign keys and a busy timeout on each connection', () => {
    const config = knexConfigFromUrl('sqlite:///tmp/x.db');
    const pragmas: string[] = [];
    const conn = { pragma: (p: string) => pragmas.push(p) };
    const done = jest.fn();
    (config.pool as { afterCreate: (c: unknown, d: typeof done) => void }).afterCreate(conn, done);
    // busy_timeout first: the switch to WAL may wait for a lock, and foreign keys must be on whatever happens.
    expect(pragmas).toEqual(['busy_timeout = 5000', 'foreign_keys = ON', 'journal_mode = WAL']);
    expect(done).toHaveBeenCalledWith(null, conn);
  });

  test.each(['postgres://user:pw@db.internal:5432/baton', 'postgresql://root@127.0.0.1/test?sslmode=disable'])(
    '%s → pg with pool min 0',
    (url) => {
      const config = knexConfigFromUrl(url);
      expect(config.client).toBe('pg');
      expect(config.connection).toMatchObject({ connectionString: url });
      expect(config.pool).toMatchObject({ min: 0 });
    },
  );

  test.each(['mysql://root@localhost/baton', 'baton.sqlite', '', 'http://example.com/x.db'])(
    'rejects %p naming BATON_DATABASE_URL and the accepted forms',
    (url) => {
      expect(() => knexConfigFromUrl(url)).toThrow(
        /BATON_DATABASE_URL .* is not supported: unknown scheme\. Accepted forms: postgres:\/\/.*sqlite:\/\/\/absolute\/path\.db.*:memory:/,
      );
    },
  );

  test('the error does not echo a password', () => {
    expect(() => knexConfigFromUrl('mysql://admin:hunter2@db/baton')).toThrow('"mysql://admin:***@db/baton"');
    expect(() => knexConfigFromUrl('mysql://admin:hunter2@db/baton')).not.toThrow(/hunter2/);
  });

  test('rejects an empty SQLite path', () => {
    expect(() => knexConfigFromUrl('sqlite://')).toThrow(/the SQLite file path is empty/);
  });
});

describe('redactUrl', () => {
  test.each([
    ['postgres://u:secret@h:5432/db', 'postgres://u:***@h:5432/db'],
    ['postgres://u@h/db', 'postgres://u@h/db'],
    ['sqlite:///a/b.db', 'sqlite:///a/b.db'],
  ])('%s → %s', (url, shown) => expect(redactUrl(url)).toBe(shown));
});

describe('syncErrorRetryDelayMs', () => {
  test('doubles from the base delay and stops at the cap', () => {
    const delays = [1, 2, 3, 9, 10, 11, 100].map((n) => syncErrorRetryDelayMs(n));
    expect(delays).toEqual([60_000, 120_000, 240_000, 15_360_000, 21_600_000, 21_600_000, 21_600_000]);
    expect(DEFAULT_SYNC_ERROR_BACKOFF.maxDelayMs).toBe(21_600_000);
  });
});

describe('batch helpers', () => {
  test('chunk splits into slices of at most n', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 500)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });

  test('lastByKey keeps the last value per key in first-seen order', () => {
    const items = [
      { k: 'a', v: 1 },
      { k: 'b', v: 2 },
      { k: 'a', v: 3 },
    ];
    expect(lastByKey(items, (i) => i.k)).toEqual([
      { k: 'a', v: 3 },
      { k: 'b', v: 2 },
    ]);
  });
});
