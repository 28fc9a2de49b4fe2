import type { Client } from '@hubspot/api-client';
import { z } from 'zod';
import type { ObjectMapping } from '../../config/mapping-file';
import { hubspotPropertiesOf, normaliseMatchKey, type Values } from '../../mapping/transform';
import { pairBatchCreate, traceIdOf } from './batch-results';
import {
  chunks,
  mapLimit,
  writeIsolating,
  type ChangedPage,
  type CrmSide,
  type DeletionCursor,
  type SideRecord,
  type WriteResult,
} from '../side';
import { archivedContactIds } from './archived';
import { HUBSPOT_BATCH_MAX, HubSpotContacts, modifiedAt, type HubSpotContact } from './contacts';
import { readChangedContacts } from './delta-cursor';
import { INITIAL_HUBSPOT_CURSOR, type HubSpotCursor } from './cursor';

const batchResultSchema = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      properties: z.record(z.string(), z.string().nullable()),
      updatedAt: z.date().or(z.string().transform((s) => new Date(s))),
      objectWriteTraceId: z.string().optional(),
    }),
  ),
  errors: z
    .array(
      z.object({
        status: z.string().optional(),
        category: z.string().optional(),
        message: z.string(),
        context: z.record(z.string(), z.array(z.string())).optional(),
      }),
    )
    .optional(),
});

const apiErrorSchema = z.object({
  code: z.number(),
  body: z.object({ message: z.string().optional(), category: z.string().optional() }).loose().optional(),
});

/** HubSpot's read-only list of the ids merged into a contact, `;`-separated. */
const MERGED_IDS = 'hs_merged_object_ids';

/** Batch calls in flight at once; the client's limiter (if set) paces them. */
const IN_FLIGHT = 4;

function toRecord(c: HubSpotContact): SideRecord {
  return { id: c.id, values: c.properties, modifiedAt: modifiedAt(c) };
}

/** HubSpot clears a property when sent an empty string; null is not accepted. */
function toProperties(values: Values): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) out[k] = v ?? '';
  return out;
}

function describeHubSpotError(err: unknown): { code: string | null; reason: string; wholeBatch: boolean } {
  const parsed = apiErrorSchema.safeParse(err);
  if (!parsed.success) return { code: null, reason: String(err), wholeBatch: false };
  const { code, body } = parsed.data;
  // 4xx other than 401/403/429 is about the records; the rest is about the call and is retried.
  const wholeBatch = code >= 400 && code < 500 && ![401, 403, 408, 429].includes(code);
  return {
    code: body?.category ?? String(code),
    reason: `HubSpot ${code}: ${body?.message ?? 'no message'}`,
    wholeBatch,
  };
}

export interface HubSpotContactSideOptions {
  /**
   * The shortest time between two reads of the recycle bin, which cost one call per 100
   * archived contacts; 0 reads it on every cycle (a manual \`baton sync --once\`).
   */
  recycleBinEveryMs?: number;
}

/** HubSpot contacts as one side of the two-way sync. https://developers.hubspot.com/docs/api/crm/contacts */
export class HubSpotContactSide implements CrmSide<HubSpotCursor> {
  readonly side = 'hubspot' as const;
  readonly writeBatch = HUBSPOT_BATCH_MAX;
  private readonly contacts: HubSpotContacts;

  constructor(
    private readonly client: Client,
    private readonly options: HubSpotContactSideOptions = {},
  ) {
    this.contacts = new HubSpotContacts(client);
  }

  initialCursor(): HubSpotCursor {
    return INITIAL_HUBSPOT_CURSOR;
  }

  async readChanged(mapping: ObjectMapping, cursor: HubSpotCursor, until: number): Promise<ChangedPage<HubSpotCursor>> {
    const page = await readChangedContacts(
      this.contacts,
      [...new Set([...hubspotPropertiesOf(mapping), MERGED_IDS])],
      cursor,
      until,
    );
    return { records: page.records.map(toRecord), next: page.next, done: page.done };
  }

  async fetch(mapping: ObjectMapping, ids: string[]): Promise<Map<string, SideRecord>> {
    const out = new Map<string, SideRecord>();
    const properties = [...new Set([...hubspotPropertiesOf(mapping), 'lastmodifieddate', MERGED_IDS])];
    const pages = await mapLimit(chunks(ids, HUBSPOT_BATCH_MAX), IN_FLIGHT, async (batch) =>
      batchResultSchema.parse(
        await this.client.crm.contacts.batchApi.read({
          inputs: batch.map((id) => ({ id })),
          properties,
          propertiesWithHistory: [],
        }),
      ),
    );
    for (const res of pages)
      for (const r of res.results)
        out.set(r.id, toRecord({ id: r.id, properties: r.properties, updatedAt: r.updatedAt }));
    return out;
  }

  async findByMatchKey(mapping: ObjectMapping, keys: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    // Batch read by a unique property answers 207 with the keys it did not find.
    const pages = await mapLimit(chunks([...new Set(keys)], HUBSPOT_BATCH_MAX), IN_FLIGHT, async (batch) =>
      batchResultSchema.parse(
        await this.client.crm.contacts.batchApi.read({
          idProperty: mapping.match.hubspot,
          inputs: batch.map((id) => ({ id })),
          properties: [mapping.match.hubspot],
          propertiesWithHistory: [],
        }),
      ),
    );
    for (const res of pages) {
      for (const r of res.results) {
        const key = normaliseMatchKey(mapping, r.properties[mapping.match.hubspot]);
        if (key !== null) out.set(key, r.id);
      }
    }
    return out;
  }

  async create(mapping: ObjectMapping, rows: Values[]): Promise<WriteResult[]> {
    const keyOf = (value: string | null | undefined) => normaliseMatchKey(mapping, value ?? null);
    const parts = await mapLimit(chunks(rows, HUBSPOT_BATCH_MAX), IN_FLIGHT, (batch) =>
      writeIsolating(
        batch,
        async (part) => {
          const res = batchResultSchema.parse(
            await this.client.crm.contacts.batchApi.create({
              inputs: part.map((values, i) => ({
                properties: toProperties(values),
                associations: [],
                objectWriteTraceId: traceIdOf(i),
              })),
            }),
          );
          // Paired by trace id (or match key), never by position: see pairBatchCreate.
          return pairBatchCreate(
            part.map((values) => keyOf(values[mapping.match.hubspot])),
            res,
            (properties) => keyOf(properties[mapping.match.hubspot]),
            mapping.match.hubspot,
          );
        },
        describeHubSpotError,
      ),
    );
    return parts.flat();
  }

  async update(_mapping: ObjectMapping, rows: { id: string; values: Values }[]): Promise<WriteResult[]> {
    const parts = await mapLimit(chunks(rows, HUBSPOT_BATCH_MAX), IN_FLIGHT, (batch) =>
      writeIsolating(
        batch,
        async (part) => {
          const res = batchResultSchema.parse(
            await this.client.crm.contacts.batchApi.update({
              inputs: part.map((r) => ({ id: r.id, properties: toProperties(r.values) })),
            }),
          );
          // 207: errors name the ids they concern in `context.ids`.
          const failed = new Map<string, { code: string | null; reason: string }>();
          for (const e of res.errors ?? [])
            for (const id of e.context?.ids ?? []) failed.set(id, { code: e.category ?? null, reason: e.message });
          const done = new Set(res.results.map((r) => r.id));
          return part.map((r): WriteResult => {
            const f = failed.get(r.id);
            if (f) return { ok: false, ...f };
            return done.has(r.id)
              ? { ok: true, id: r.id }
              : { ok: false, code: 'NO_RESULT', reason: 'HubSpot returned no result for this record' };
          });
        },
        describeHubSpotError,
      ),
    );
    return parts.flat();
  }

  /**
   * The whole recycle bin (see archived.ts), at most once per `recycleBinEveryMs`: the
   * cursor records when it was last read. A contact archived in between is in the bin at
   * the next read (it keeps 90 days), so waiting loses nothing.
   */
  async readDeletions(
    _mapping: ObjectMapping,
    cursor: DeletionCursor | null,
    until: number,
    progress?: () => void,
  ): Promise<{ ids: string[]; next: DeletionCursor }> {
    const every = this.options.recycleBinEveryMs ?? 0;
    const last = cursor?.archived;
    if (cursor && last !== undefined && every > 0 && until - last < every) return { ids: [], next: cursor };
    return { ids: await archivedContactIds(this.client, progress), next: { archived: until } };
  }

  async confirmDeleted(ids: string[]): Promise<Set<string>> {
    const pages = await mapLimit(chunks([...new Set(ids)], HUBSPOT_BATCH_MAX), IN_FLIGHT, async (batch) =>
      batchResultSchema.parse(
        await this.client.crm.contacts.batchApi.read(
          { inputs: batch.map((id) => ({ id })), properties: ['hs_object_id'], propertiesWithHistory: [] },
          true,
        ),
      ),
    );
    return new Set(pages.flatMap((p) => p.results.map((r) => r.id)));
  }

  /**
   * Contacts merged into another: a GET by the old id answers with the contact it was
   * merged into, under that contact's id. One call per id, so it is asked only about
   * linked contacts that are gone without being archived. A 404 is a contact that is
   * simply gone.
   * https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/basic/post-crm-v3-objects-contacts-merge
   */
  async mergedInto(ids: string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    await mapLimit([...new Set(ids)], IN_FLIGHT, async (id) => {
      try {
        const found = await this.client.crm.contacts.basicApi.getById(id, ['hs_object_id']);
        if (found.id !== id) out.set(id, found.id);
      } catch (err) {
        if (apiErrorSchema.safeParse(err).data?.code !== 404) throw err;
      }
    });
    return out;
  }

  /** The ids merged into these contacts, from their `hs_merged_object_ids`, gone id → survivor. */
  async mergedFrom(records: SideRecord[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const r of records) {
      for (const id of (r.values[MERGED_IDS] ?? '').split(';'))
        if (id.trim() !== '' && id.trim() !== r.id) out.set(id.trim(), r.id);
    }
    return out;
  }

  /** Batch archive answers 204 for ids that are already archived or unknown, so a retry is harmless. */
  async remove(ids: string[]): Promise<WriteResult[]> {
    const parts = await mapLimit(chunks(ids, HUBSPOT_BATCH_MAX), IN_FLIGHT, (batch) =>
      writeIsolating(
        batch,
        async (part) => {
          await this.client.crm.contacts.batchApi.archive({ inputs: part.map((id) => ({ id })) });
          return part.map((id): WriteResult => ({ ok: true, id }));
        },
        describeHubSpotError,
      ),
    );
    return parts.flat();
  }
}
