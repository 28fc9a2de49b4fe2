/**
 * What every route needs: the org state, the clock, open query cursors, and helpers that
 * read the parts of a request the REST API gives meaning to (API version, headers).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { QueryCursors } from '../cursors';
import { ApiError, notFound } from '../errors';
import type { Preset } from '../seed';
import type { Sessions } from '../sessions';
import type { SalesforceState, WriteContext } from '../state';

export interface RequestStats {
  total: number;
  requests: Record<string, number>;
}

export interface SandboxContext {
  readonly state: SalesforceState;
  readonly cursors: QueryCursors;
  readonly now: () => number;
  /** The start token (what `RunningSandbox.accessToken` hands out). */
  readonly accessToken: string;
  /** Every valid access token, with expiry, and the OAuth client the token endpoint accepts. */
  readonly sessions: Sessions;
  readonly stats: RequestStats;
  /** Replaces all data with a preset and forgets cursors and counters. */
  seed(preset: Preset): void;
  readonly defaultPreset: Preset;
}

const VERSION_RE = /^v(\d{2,3}\.\d)$/;
const VersionParamsSchema = z.object({ version: z.string() });

/** `62.0` from the `:version` path segment (`v62.0`); any other segment is an unknown resource. */
export function apiVersion(request: FastifyRequest): string {
  const params = VersionParamsSchema.safeParse(request.params);
  const m = VERSION_RE.exec(params.success ? params.data.version : '');
  if (!m?.[1]) throw notFound();
  return m[1];
}

/** The token of `Authorization: Bearer <token>` (or the older `OAuth <token>`). */
export function bearerToken(request: FastifyRequest): string | undefined {
  return /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * `Sforce-Auto-Assign`: absent or TRUE (or an assignment rule id) runs assignment rules on
 * Lead create and update; FALSE turns them off.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/headers_autoassign.htm
 */
export function autoAssignHeader(request: FastifyRequest): boolean {
  const v = header(request, 'sforce-auto-assign');
  if (v === undefined) return true;
  return !/^(false|0)$/i.test(v.trim());
}

export function queryOptionsHeader(request: FastifyRequest): string | undefined {
  return header(request, 'sforce-query-options');
}

export function writeContext(ctx: SandboxContext, request: FastifyRequest): WriteContext {
  return { userId: ctx.state.apiUserId, now: ctx.now(), autoAssign: autoAssignHeader(request) };
}

/** Parses a request part with zod; a mismatch is the API's JSON_PARSER_ERROR. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw ApiError.of(400, 'JSON_PARSER_ERROR', `Invalid ${what}${where}: ${issue?.message ?? 'unexpected value'}`);
}

export const JSON_CONTENT_TYPE = 'application/json;charset=UTF-8';

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).header('content-type', JSON_CONTENT_TYPE).send(body);
}

/** A record body: any JSON object (field values are checked against the schema later). */
export const RecordBodySchema = z.record(z.string(), z.unknown());
