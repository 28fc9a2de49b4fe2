import { migratorConfig, MIGRATIONS_TABLE } from './migrations';
import type { StoreContext } from './context';

/**
 * The database's shape rather than its rows: migrations and the checks tests and
 * operators make on them, so that nothing outside src/store needs knex.
 */
export interface SchemaRepository {
  /**
   * Runs pending migrations. Safe when several processes start at once: PostgreSQL
   * serialises them on an advisory lock, SQLite on its write lock.
   */
  migrate(): Promise<void>;
  /** Undoes every migration (tests of the down migrations). */
  rollbackAll(): Promise<void>;
  /** Names of the applied migrations, as recorded in the migrations table. */
  appliedMigrations(): Promise<string[]>;
  hasTable(table: string): Promise<boolean>;
  /** PostgreSQL: drops a schema and everything in it, if it exists (tests' cleanup). */
  dropSchema(schema: string): Promise<void>;
  /** SQLite: the value of a PRAGMA on the store's connection (journal_mode, foreign_keys, …). */
  sqlitePragma(name: string): Promise<unknown>;
  /** SQLite: the database file the store opened, or ':memory:'; null on PostgreSQL. */
  sqliteFilename(): string | null;
}

const MIGRATION_LOCK_RETRIES = 25;
const MIGRATION_LOCK_WAIT_MS = 200;
const PRAGMA_NAME = /^[a-z_]+$/;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Another process sharing the SQLite file is migrating: it holds the write lock longer than
 * busy_timeout, or wrote between our transaction's first read and first write
 * (SQLITE_BUSY_SNAPSHOT, which SQLite reports at once). A retry finds nothing left to do.
 * The message checks cover a process that migrated with plain knex, without the mutex.
 */
function isSqliteMigrationRace(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as Error & { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  return /already locked|database is locked|baton_migrations(_lock)?` already exists/.test(err.message);
}

export function schemaRepository(ctx: StoreContext): SchemaRepository {
  const { knex, dialect } = ctx;
  return {
    async migrate() {
      if (dialect === 'postgres') {
        // Several workers may start at once. knex's own lock makes the losers fail rather
        // than wait, and does not cover creating the migrations table, so serialise on a
        // transaction-scoped advisory lock per schema first.
        await knex.transaction(async (trx) => {
          await trx.raw("select pg_advisory_xact_lock(hashtext('baton_migrations:' || current_schema()))");
          await knex.migrate.latest(migratorConfig);
        });
        return;
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await knex.transaction(async (trx) => {
            // SQLite has no advisory locks. Writing first takes the file's write lock, so a
            // second process sharing the file waits here (busy_timeout) until we commit and
            // then finds nothing to do; the migrations run on this same connection.
            await trx.raw(
              'CREATE TABLE IF NOT EXISTS baton_migrations_mutex (id INTEGER PRIMARY KEY, locked_at BIGINT NOT NULL)',
            );
            await trx.raw('INSERT OR REPLACE INTO baton_migrations_mutex (id, locked_at) VALUES (1, ?)', [Date.now()]);
            await trx.migrate.latest(migratorConfig);
          });
          return;
        } catch (err) {
          if (!isSqliteMigrationRace(err) || attempt >= MIGRATION_LOCK_RETRIES) throw err;
          await sleep(MIGRATION_LOCK_WAIT_MS);
        }
      }
    },

    async rollbackAll() {
      await knex.migrate.rollback(migratorConfig, true);
    },

    async appliedMigrations() {
      const rows: Array<{ name: string }> = await knex(MIGRATIONS_TABLE).select('name');
      return rows.map((r) => r.name);
    },

    hasTable: (table) => knex.schema.hasTable(table),

    async dropSchema(schema) {
      if (dialect !== 'postgres') throw new Error('dropSchema: only PostgreSQL has schemas');
      await knex.raw('drop schema if exists ?? cascade', [schema]);
    },

    async sqlitePragma(name) {
      if (dialect !== 'sqlite') throw new Error('sqlitePragma: the store is not SQLite');
      // PRAGMA takes no bindings; the name is checked instead.
      if (!PRAGMA_NAME.test(name)) throw new Error(`sqlitePragma: invalid pragma name "${name}"`);
      const rows = (await knex.raw(`PRAGMA ${name}`)) as Array<Record<string, unknown>>;
      return rows[0]?.[name];
    },

    sqliteFilename() {
      if (dialect !== 'sqlite') return null;
      return (knex.client as { config: { connection: { filename: string } } }).config.connection.filename;
    },
  };
}
