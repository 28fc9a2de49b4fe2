import type { Knex } from 'knex';
import * as initial from './0001_initial';
import * as orphans from './0002_orphans';
import * as creationClaims from './0003_creation_claims';

interface NamedMigration {
  /** Stable forever: it is the key recorded in the migrations table. */
  name: string;
  migration: Knex.Migration;
}

// Listed by import rather than found by directory scan, so the same migrations run from
// ts-jest sources and from compiled dist/ JS. Append only; never rename or reorder.
const migrations: readonly NamedMigration[] = [
  { name: '0001_initial', migration: initial },
  { name: '0002_orphans', migration: orphans },
  { name: '0003_creation_claims', migration: creationClaims },
];

export const migrationSource: Knex.MigrationSource<NamedMigration> = {
  getMigrations: async () => [...migrations],
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m.migration,
};

export const MIGRATIONS_TABLE = 'baton_migrations';

export const migratorConfig: Knex.MigratorConfig = {
  migrationSource,
  tableName: MIGRATIONS_TABLE,
};
