import type { StoreContext } from './context';
import { toJson } from './rows';

/** Named sync positions (delta cursors and the like), opaque JSON to the store. */
export interface CursorRepository {
  get<T = unknown>(name: string): Promise<T | null>;
  set(name: string, value: unknown): Promise<void>;
}

export function cursorRepository(ctx: StoreContext): CursorRepository {
  const { knex } = ctx;
  return {
    async get<T = unknown>(name: string): Promise<T | null> {
      const row = await knex<{ name: string; value: string }>('cursors').select('value').where({ name }).first();
      if (row === undefined) return null;
      // Cursors are opaque to the store; the caller that wrote one knows its shape.
      return JSON.parse(row.value) as T | null;
    },

    async set(name: string, value: unknown): Promise<void> {
      if (value === undefined) throw new TypeError(`cursors.set("${name}"): value is undefined`);
      await knex('cursors')
        .insert({ name, value: toJson(value, `cursor "${name}"`), updated_at: ctx.nowMs() })
        .onConflict('name')
        .merge(['value', 'updated_at']);
    },
  };
}
