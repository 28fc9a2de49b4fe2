import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { serializedStateSchema, type HubSpotState, type SerializedState } from './state';

export const SAVE_DEBOUNCE_MS = 250;

/** Reads a state file; `undefined` when there is none yet. A corrupt file is an error, never overwritten. */
export function readStateFile(file: string): SerializedState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(
      `HubSpot sandbox state file ${file} is not valid JSON (${(e as Error).message}); move it away to start afresh.`,
    );
  }
  const parsed = serializedStateSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unknown problem';
    throw new Error(
      `HubSpot sandbox state file ${file} has an unexpected shape (${where}); move it away to start afresh.`,
    );
  }
  return parsed.data;
}

/**
 * Saves the state after changes, at most once per debounce window and never on the
 * request path: a batch of 100 writes costs one save, not 100. Each save writes a
 * temporary file and renames it over the old one, so a crash never leaves half a file.
 */
export class StatePersistence {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private saving: Promise<void> | undefined;
  private readonly unsubscribe: () => void;
  /** Grows with the time a save takes, so big states under load spend little time saving. */
  private delayMs = SAVE_DEBOUNCE_MS;

  constructor(
    private readonly state: HubSpotState,
    private readonly file: string,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.unsubscribe = state.onChange(() => this.schedule());
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.save().catch(this.onError);
    }, this.delayMs);
    this.timer.unref();
  }

  /** Writes now if anything changed since the last save (or, with `force`, in any case). */
  async save(force = false): Promise<void> {
    // One write at a time; changes made during a write are picked up by the next one.
    while (this.saving) await this.saving;
    if (!this.dirty && !force) return;
    this.dirty = false;
    this.saving = this.write().finally(() => {
      this.saving = undefined;
    });
    await this.saving;
  }

  /** Stops watching and writes what is pending. */
  async close(): Promise<void> {
    this.unsubscribe();
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.save();
  }

  private async write(): Promise<void> {
    const started = performance.now();
    // Serializing blocks the event loop; keep it to about a fifth of the time under load.
    const json = JSON.stringify(this.state.toJSON());
    this.delayMs = Math.max(SAVE_DEBOUNCE_MS, Math.round((performance.now() - started) * 4));
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      await fs.writeFile(tmp, json, 'utf8');
      await fs.rename(tmp, this.file);
    } catch (e) {
      this.dirty = true;
      await fs.rm(tmp, { force: true });
      throw e;
    }
  }
}
