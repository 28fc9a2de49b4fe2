/**
 * Query resources: `GET /query?q=` (live records), `GET /queryAll?q=` (deleted too) and
 * `GET /query/{locator}-{offset}` for the next batch.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { batchSizeFromHeader } from '../cursors';
import { ApiError } from '../errors';
import { type QueryResultSet, runSoql } from '../soql';
import { apiVersion, parseWith, queryOptionsHeader, type SandboxContext, sendJson } from './context';

const QueryStringSchema = z.object({ q: z.string().optional(), explain: z.string().optional() });
const LocatorParamsSchema = z.object({ version: z.string(), locator: z.string() });

export function registerQueryRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const run = (includeDeleted: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const version = apiVersion(request);
    const { q, explain } = parseWith(QueryStringSchema, request.query, 'query parameters');
    if (explain !== undefined)
      throw ApiError.of(400, 'MALFORMED_QUERY', 'The Salesforce sandbox does not support query plans (explain) yet.');
    if (q === undefined || q.trim() === '')
      throw ApiError.of(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const result = runSoql(ctx.state, q, { includeDeleted, now: ctx.now() });
    return sendPage(reply, ctx, version, result, 0, batchSizeFromHeader(queryOptionsHeader(request)));
  };

  const more = async (request: FastifyRequest, reply: FastifyReply) => {
    const version = apiVersion(request);
    const { locator: segment } = parseWith(LocatorParamsSchema, request.params, 'path');
    const m = /^([A-Za-z0-9]+)-(\d+)$/.exec(segment);
    const cursor = m?.[1] ? ctx.cursors.get(m[1]) : undefined;
    const offset = Number(m?.[2] ?? Number.NaN);
    if (!m?.[1] || !cursor || !Number.isInteger(offset) || offset > cursor.result.length) {
      throw ApiError.of(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    return sendPage(reply, ctx, version, cursor.result, offset, cursor.batchSize, m[1]);
  };

  app.get('/services/data/:version/query', run(false));
  app.get('/services/data/:version/queryAll', run(true));
  app.get('/services/data/:version/query/:locator', more);
  app.get('/services/data/:version/queryAll/:locator', more);
}

function sendPage(
  reply: FastifyReply,
  ctx: SandboxContext,
  version: string,
  result: QueryResultSet,
  offset: number,
  batchSize: number,
  locator?: string,
): FastifyReply {
  const end = Math.min(result.length, offset + batchSize);
  const records = result.page(offset, end, version);
  const done = end >= result.length;
  if (done) {
    if (locator) ctx.cursors.close(locator);
    return sendJson(reply, 200, { totalSize: result.totalSize, done, records });
  }
  const next = locator ?? ctx.cursors.add(result, batchSize);
  return sendJson(reply, 200, {
    totalSize: result.totalSize,
    done,
    nextRecordsUrl: `/services/data/v${version}/query/${next}-${end}`,
    records,
  });
}
