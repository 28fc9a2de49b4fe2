import path from 'node:path';
import type { Knex } from 'knex';
import type { Dialect } from './types';

const ACCEPTED_FORMS =
  'postgres://user:password@host:5432/database (or postgresql://…), ' +
  'sqlite:///absolute/path.db, sqlite://./relative/path.db, file:path.db, :memory:, ' +
  'or a bare file path ending in .db';

const SQLITE_BUSY_TIMEOUT_MS = 5_000;
const PG_CONNECT_TIMEOUT_MS = 10_000;

/** Hides the password of a URL-ish string so it can go into an error message or a log. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

function unsupported(url: string, why: string): Error {
  const shown = url.trim() === '' ? '(empty)' : `"${redactUrl(url)}"`;
  return new Error(`BATON_DATABASE_URL ${shown} is not supported: ${why}. Accepted forms: ${ACCEPTED_FORMS}.`);
}

function decodePath(raw: string, url: string): string {
  const withoutQuery = raw.replace(/[?#].*$/, '');
  try {
    return decodeURIComponent(withoutQuery);
  } catch {
    throw unsupported(url, 'the path is not valid percent-encoding');
  }
}

/** Resolves a SQLite URL to the filename better-sqlite3 opens, or null if `url` is not SQLite. */
export function sqliteFilenameFromUrl(url: string): string | null {
  const trimmed = url.trim();
  if (trimmed === ':memory:' || trimmed === 'sqlite::memory:' || trimmed === 'sqlite://:memory:') {
    return ':memory:';
  }
  let raw: string | null = null;
  if (/^sqlite:\/\//i.test(trimmed)) {
    // sqlite:///abs/path.db → /abs/path.db; sqlite://./rel.db → ./rel.db
    raw = trimmed.slice('sqlite://'.length);
  } else if (/^sqlite:/i.test(trimmed)) {
    raw = trimmed.slice('sqlite:'.length);
  } else if (/^file:\/\//i.test(trimmed)) {
    // file:///abs/path.db → /abs/path.db (the empty authority is the only one allowed)
    raw = trimmed.slice('file://'.length);
    if (!raw.startsWith('/')) throw unsupported(url, 'file:// URLs need an absolute path (file:///abs/path.db)');
  } else if (/^file:/i.test(trimmed)) {
    raw = trimmed.slice('file:'.length);
  } else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) && /\.db$/i.test(trimmed)) {
    raw = trimmed;
  }
  if (raw === null) return null;
  const filename = decodePath(raw, url);
  if (filename === '') throw unsupported(url, 'the SQLite file path is empty');
  if (filename === ':memory:') return filename;
  return path.resolve(filename);
}

export function dialectOf(config: Knex.Config): Dialect {
  return config.client === 'pg' ? 'postgres' : 'sqlite';
}

/**
 * Turns BATON_DATABASE_URL into a knex config. SQLite (better-sqlite3) is the embedded
 * default; PostgreSQL (pg) is for production. The database is not touched here.
 */
export function knexConfigFromUrl(url: string): Knex.Config {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    return {
      client: 'pg',
      connection: { connectionString: trimmed, connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS },
      // min 0: idle workers hold no connections, so many workers fit a small server.
      pool: { min: 0, max: 10 },
      acquireConnectionTimeout: PG_CONNECT_TIMEOUT_MS * 2,
    };
  }
  const filename = sqliteFilenameFromUrl(trimmed);
  if (filename === null) {
    throw unsupported(url, 'unknown scheme');
  }
  return {
    client: 'better-sqlite3',
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: unknown, done: (err: Error | null, conn: unknown) => void) {
        try {
          const db = conn as { pragma(source: string): unknown };
          // WAL lets the CLI read while the worker writes; busy_timeout waits for the
          // other process's write lock instead of failing with SQLITE_BUSY at once.
          // busy_timeout first: switching to WAL needs a lock another connection may hold, and
          // without the timeout it fails at once, before foreign keys are switched on.
          db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
          db.pragma('foreign_keys = ON');
          if (filename !== ':memory:') db.pragma('journal_mode = WAL');
          done(null, conn);
        } catch (err) {
          done(err instanceof Error ? err : new Error(String(err)), conn);
        }
      },
    },
  };
}
