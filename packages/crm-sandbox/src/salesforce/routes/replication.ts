/**
 * Data replication: `GET /sobjects/{Type}/updated?start=&end=` and `…/deleted?start=&end=`
 * (jsforce's `conn.sobject(T).updated(start, end)` and `.deleted(start, end)`).
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getupdated.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm
 * https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/sforce_api_calls_getupdated.htm
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError, notFound } from '../errors';
import type { ObjectSchema } from '../schema';
import { formatDateTime, parseDateTime } from '../values';
import { apiVersion, parseWith, type SandboxContext, sendJson } from './context';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** Results go back no more than 30 days before the day of the call. */
export const REPLICATION_WINDOW_DAYS = 30;
/** More ids than this fail with EXCEEDED_ID_LIMIT (choose a shorter span). */
const MAX_IDS = 600_000;

const ParamsSchema = z.object({ version: z.string(), type: z.string() });
const QuerySchema = z.object({ start: z.string().optional(), end: z.string().optional() });

export interface ReplicationSpan {
  /** Inclusive, formatted as stored (`…+0000`), seconds dropped. */
  from: string;
  /** Exclusive: the latest instant covered (end, or now when end is later), seconds dropped. */
  to: string;
  earliestAvailable: string;
}

function invalidDate(message: string): ApiError {
  return ApiError.of(400, 'INVALID_REPLICATION_DATE', message);
}

/**
 * The span a call covers. The API ignores seconds ("12:30:15 is 12:30:00"), wants start
 * strictly before end, and refuses a start before the 30-day window. Covering up to the
 * current minute only (not the minute in progress) makes consecutive spans, each starting
 * at the previous `latestDateCovered`, lose nothing and repeat nothing.
 */
export function replicationSpan(query: { start?: string; end?: string }, now: number): ReplicationSpan {
  const read = (name: 'start' | 'end'): number => {
    const text = query[name];
    if (text === undefined || text.trim() === '')
      throw ApiError.of(400, 'MISSING_ARGUMENT', `Missing required parameter: ${name}`);
    const ms = parseDateTime(text.trim());
    if (ms === undefined) throw invalidDate(`Invalid ${name} date: ${text}`);
    return Math.floor(ms / MINUTE) * MINUTE;
  };
  const start = read('start');
  const end = read('end');
  if (start >= end) throw invalidDate('startDate must chronologically precede endDate');
  const earliest = Math.floor(now / DAY) * DAY - REPLICATION_WINDOW_DAYS * DAY;
  if (start < earliest) throw invalidDate(`startDate cannot be more than ${REPLICATION_WINDOW_DAYS} days ago`);
  const latest = Math.min(end, Math.floor(now / MINUTE) * MINUTE);
  return { from: formatDateTime(start), to: formatDateTime(latest), earliestAvailable: formatDateTime(earliest) };
}

export function registerReplicationRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const target = (params: unknown): ObjectSchema => {
    const { type } = parseWith(ParamsSchema, params, 'path');
    const schema = ctx.state.objectSchema(type);
    if (!schema) throw notFound();
    return schema;
  };
  /** Records whose SystemModstamp (the date the call uses) falls in the span. */
  const inSpan = function* (schema: ObjectSchema, span: ReplicationSpan, deleted: boolean) {
    for (const r of ctx.state.scan(schema.name, true)) {
      if ((r.IsDeleted === true) !== deleted) continue;
      const stamp = r.SystemModstamp;
      if (typeof stamp === 'string' && stamp >= span.from && stamp < span.to) yield r;
    }
  };
  const capped = <T>(items: T[]): T[] => {
    if (items.length > MAX_IDS) {
      throw ApiError.of(
        400,
        'EXCEEDED_ID_LIMIT',
        `The number of ids to return exceeds the limit of ${MAX_IDS}; choose start and end dates that are closer together`,
      );
    }
    return items;
  };

  app.get('/services/data/:version/sobjects/:type/updated', async (request, reply) => {
    apiVersion(request);
    const schema = target(request.params);
    const span = replicationSpan(parseWith(QuerySchema, request.query, 'query parameters'), ctx.now());
    const ids = capped([...inSpan(schema, span, false)].map((r) => String(r.Id)));
    return sendJson(reply, 200, { ids, latestDateCovered: span.to });
  });

  app.get('/services/data/:version/sobjects/:type/deleted', async (request, reply) => {
    apiVersion(request);
    const schema = target(request.params);
    const span = replicationSpan(parseWith(QuerySchema, request.query, 'query parameters'), ctx.now());
    const deletedRecords = capped(
      [...inSpan(schema, span, true)].map((r) => ({ id: String(r.Id), deletedDate: String(r.SystemModstamp) })),
    );
    return sendJson(reply, 200, {
      deletedRecords,
      earliestDateAvailable: span.earliestAvailable,
      latestDateCovered: span.to,
    });
  });
}
