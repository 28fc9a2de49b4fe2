/**
 * Draws from one seeded generator, so a simulation replays exactly under the same seed
 * (as long as the sandboxes start from the same state and the clock ticks the same way).
 */
import { seededRandom } from '../demo';

export class Dice {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = seededRandom(seed);
  }

  /** Uniform in [0, 1). */
  unit(): number {
    return this.next();
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [min, max], both included. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(this.next() * items.length)];
  }

  /**
   * How many events happen in one tick when `rate` happen per tick on average: the whole
   * part always, the fraction by chance (2.3 → 2, or 3 three times in ten).
   */
  count(rate: number): number {
    if (!(rate > 0)) return 0;
    const whole = Math.floor(rate);
    return whole + (this.chance(rate - whole) ? 1 : 0);
  }
}
