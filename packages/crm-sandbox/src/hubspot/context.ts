import type { z } from 'zod';
import { invalidInput } from './errors';
import type { HubSpotState } from './state';
import type { WebhookDispatcher } from './webhooks';

/** Requests per route, as served by `GET /__sandbox/stats`. */
export class RequestStats {
  private total = 0;
  private readonly byRoute = new Map<string, number>();

  record(key: string): void {
    this.total++;
    this.byRoute.set(key, (this.byRoute.get(key) ?? 0) + 1);
  }

  reset(): void {
    this.total = 0;
    this.byRoute.clear();
  }

  toJSON(): { total: number; requests: Record<string, number> } {
    return {
      total: this.total,
      requests: Object.fromEntries([...this.byRoute.entries()].sort(([a], [b]) => a.localeCompare(b))),
    };
  }
}

/** What every route module gets. */
export interface SandboxContext {
  state: HubSpotState;
  stats: RequestStats;
  webhooks: WebhookDispatcher;
  /** The sandbox's base URL (known once it listens), for `paging.next.link`. */
  baseUrl(): string;
}

/** Parses a request body or query, answering HubSpot's "Invalid input JSON" 400 otherwise. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, modelName: string): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw invalidInput(r.error.issues, modelName);
  return r.data;
}

export type Query = Record<string, string | string[] | undefined>;

export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[value.length - 1] : value;
}

export function boolParam(value: string | string[] | undefined): boolean {
  return single(value)?.toLowerCase() === 'true';
}

/** A positive page size, defaulted and capped the way the endpoint does. */
export function limitParam(value: string | string[] | undefined, fallback: number, max: number): number {
  const n = Number(single(value));
  if (!Number.isInteger(n) || n <= 0) return fallback;
  return Math.min(n, max);
}
