import { seededRandom } from '../demo';

/** FNV-1a over UTF-16 code units: a stable 32-bit number for a stream's name. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Independent random streams under one seed, one per fault rule. Each rule draws only from
 * its own stream, so adding latency (or a second error rule) never shifts which requests
 * an error rule picks: the same seed and the same order of requests give the same faults.
 */
export class RandomStreams {
  private readonly streams = new Map<string, () => number>();

  constructor(readonly seed: number) {}

  /** The next number in [0, 1) of the stream called `name`. */
  next(name: string): number {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = seededRandom(hash32(`${this.seed}:${name}`));
      this.streams.set(name, stream);
    }
    return stream();
  }
}
