/**
 * Plays marketing and sales life against the two sandboxes so the demo shows handovers as
 * they happen: scores rise in HubSpot until contacts qualify, new contacts sign up, and
 * reps log first touches on the Salesforce Leads they are given.
 *
 * Everything is drawn from one seeded generator and driven by ticks, so a run replays
 * exactly under the same seed; tests call `tick()` with a fake clock instead of waiting.
 */
import type { SalesforceState } from '../salesforce/state';
import { type MarketingOptions, MarketingLife, type MarketingReport, type SimHubSpot } from './marketing';
import { Dice } from './random';
import { SalesLife, type SalesOptions, type SalesReport } from './sales';

export interface Timers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface SimulationOptions {
  /** The HubSpot sandbox's state (`HubSpotState`), or anything with the same contact store. */
  hubspot: SimHubSpot;
  salesforce: SalesforceState;
  /** Default 1. */
  seed?: number;
  /** Milliseconds between ticks. Default 1000. */
  tickMs?: number;
  /** Clock (epoch ms) for the values written. Default Date.now. */
  now?: () => number;
  /** Where ticks come from; default the global timers. Pass `false` to tick only by hand. */
  timers?: Timers | false;
  marketing?: MarketingOptions;
  sales?: SalesOptions;
  /** A tick that throws is reported here and the simulation goes on. Default: a process warning. */
  onError?: (err: unknown) => void;
}

export type TickReport = MarketingReport & SalesReport & { tick: number };

export interface Simulation {
  /** Stops the ticks; safe to call twice. */
  stop(): void;
  /** Plays one tick now (tests; or between timer ticks). */
  tick(): TickReport;
  /** Sums over every tick so far. */
  totals(): TickReport;
}

const defaultTimers: Timers = {
  setInterval: (callback, ms) => {
    const handle = setInterval(callback, ms);
    // The sandboxes' servers keep the process alive; the simulation alone should not.
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

export function startSimulation(options: SimulationOptions): Simulation {
  const now = options.now ?? Date.now;
  const dice = new Dice(options.seed ?? 1);
  const marketing = new MarketingLife(options.hubspot, dice, options.marketing);
  const sales = new SalesLife(options.salesforce, dice, options.sales);
  const onError =
    options.onError ??
    ((err: unknown) =>
      process.emitWarning(`Sandbox simulation tick failed: ${err instanceof Error ? err.message : String(err)}`));
  const totals: TickReport = {
    tick: 0,
    pageViews: 0,
    formSubmissions: 0,
    newContacts: 0,
    scored: 0,
    tasksLogged: 0,
    rejected: 0,
  };

  const tick = (): TickReport => {
    const at = now();
    const report: TickReport = { tick: totals.tick + 1, ...marketing.tick(at), ...sales.tick(at) };
    for (const key of Object.keys(totals) as (keyof TickReport)[])
      totals[key] = key === 'tick' ? report.tick : totals[key] + report[key];
    return report;
  };

  const timers = options.timers === undefined ? defaultTimers : options.timers;
  let handle: unknown;
  if (timers) {
    handle = timers.setInterval(() => {
      try {
        tick();
      } catch (err) {
        onError(err);
      }
    }, options.tickMs ?? 1000);
  }

  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      if (timers) timers.clearInterval(handle);
    },
    tick,
    totals: () => ({ ...totals }),
  };
}

export type { MarketingOptions, MarketingReport, SimContact, SimHubSpot, SimWriteSource } from './marketing';
export type { SalesOptions, SalesReport } from './sales';
