/**
 * The state file: the whole org as JSON, loaded at start and written after changes.
 * Writes are coalesced (at most one per `delayMs`), go to a temporary file that is then
 * renamed over the old one (a crash never leaves half a file), and never block a request.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { SObjectRecord } from './schema';
import type { SalesforceState } from './state';

const FieldValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const FieldOptionsSchema = z
  .object({
    label: z.string(),
    length: z.number(),
    precision: z.number(),
    scale: z.number(),
    required: z.boolean(),
    nillable: z.boolean(),
    createable: z.boolean(),
    updateable: z.boolean(),
    defaultedOnCreate: z.boolean(),
    calculated: z.boolean(),
    externalId: z.boolean(),
    idLookup: z.boolean(),
    unique: z.boolean(),
    nameField: z.boolean(),
    picklist: z.array(z.string()),
    defaultPicklistValue: z.string(),
    restrictedPicklist: z.boolean(),
    defaultValue: FieldValueSchema,
    referenceTo: z.array(z.string()),
    relationshipName: z.string(),
  })
  .partial();

const FieldTypeSchema = z.enum([
  'id',
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'multipicklist',
  'combobox',
  'boolean',
  'int',
  'double',
  'currency',
  'percent',
  'date',
  'datetime',
  'reference',
]);

const CustomFieldSchema = z.object({
  object: z.string(),
  name: z.string(),
  type: FieldTypeSchema,
  options: FieldOptionsSchema,
});

export const SnapshotSchema = z.object({
  format: z.literal('baton-salesforce-sandbox'),
  version: z.literal(1),
  savedAt: z.string(),
  apiUserId: z.string(),
  apiUsage: z.number().int().nonnegative(),
  sequences: z.record(z.string(), z.number().int()),
  customFields: z.array(CustomFieldSchema).default([]),
  autoAssign: z
    .record(z.string(), z.object({ onCreate: z.boolean().optional(), onLastUpdate: z.boolean().optional() }))
    .default({}),
  objects: z.record(z.string(), z.array(z.record(z.string(), FieldValueSchema))),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;
/** What is written: the same shape, holding the state's (read-only) records as they are. */
export type SnapshotToWrite = Omit<Snapshot, 'objects'> & {
  objects: Readonly<Record<string, readonly SObjectRecord[]>>;
};

export function snapshotOf(state: SalesforceState): SnapshotToWrite {
  const { objects, sequences } = state.dump();
  const autoAssign: Snapshot['autoAssign'] = {};
  for (const [id, log] of state.autoAssign) autoAssign[id] = { ...log };
  return {
    format: 'baton-salesforce-sandbox',
    version: 1,
    savedAt: new Date().toISOString(),
    apiUserId: state.apiUserId,
    apiUsage: state.apiUsage,
    sequences,
    customFields: state.customFields.map((d) => CustomFieldSchema.parse(d)),
    autoAssign,
    objects,
  };
}

/** Loads a snapshot into an empty state. */
export function restoreSnapshot(state: SalesforceState, snapshot: Snapshot): void {
  for (const def of snapshot.customFields) state.defineField(def.object, def.name, def.type, def.options);
  state.restore(snapshot.objects, snapshot.sequences);
  state.apiUserId = snapshot.apiUserId;
  state.apiUsage = snapshot.apiUsage;
  for (const [id, log] of Object.entries(snapshot.autoAssign)) state.autoAssign.set(id, log);
}

/** The snapshot in a state file, or undefined when there is no file yet. */
export async function readStateFile(file: string): Promise<Snapshot | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Salesforce sandbox state file ${file} is not valid JSON (${reason}); move it away to start from a preset.`,
    );
  }
  const parsed = SnapshotSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new Error(
      `Salesforce sandbox state file ${file} is not a sandbox snapshot (${first ? `${first.path.join('.')}: ${first.message}` : 'invalid'}); move it away to start from a preset.`,
    );
  }
  return parsed.data;
}

export class StatePersister {
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();
  private lastError: Error | undefined;
  /** Serialising blocks the event loop, so big states are written less often. */
  private delayMs: number;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => SnapshotToWrite,
    private readonly minDelayMs = 250,
  ) {
    this.delayMs = minDelayMs;
  }

  /** Notes a change; the file is written at most `delayMs` later. */
  schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => undefined);
    }, this.delayMs);
    this.timer.unref();
  }

  /** Writes pending changes now and waits until they are on disk. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.dirty) {
      this.dirty = false;
      const started = Date.now();
      const json = JSON.stringify(this.snapshot());
      this.delayMs = Math.max(this.minDelayMs, 5 * (Date.now() - started));
      this.writing = this.writing.then(() => this.write(json));
    }
    await this.writing;
    if (this.lastError) {
      const err = this.lastError;
      this.lastError = undefined;
      throw err;
    }
  }

  private async write(json: string): Promise<void> {
    const tmp = `${this.file}.${process.pid}.tmp`;
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await fs.writeFile(tmp, json, 'utf8');
      await fs.rename(tmp, this.file);
    } catch (err) {
      this.lastError = err instanceof Error ? err : new Error(String(err));
    }
  }
}
