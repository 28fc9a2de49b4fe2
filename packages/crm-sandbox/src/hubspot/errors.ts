import type { z } from 'zod';

/**
 * HubSpot's error envelope. Field order follows captured responses (status, message,
 * correlationId, then the optional parts); the client only needs valid JSON, but people
 * compare sandbox and production bodies by eye.
 * https://developers.hubspot.com/docs/api/error-handling
 */
export interface HubSpotErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  errors?: HubSpotErrorDetail[];
  context?: Record<string, string[]>;
  category?: string;
  subCategory?: string;
}

export interface HubSpotErrorDetail {
  message: string;
  code?: string;
  in?: string;
  context?: Record<string, string[]>;
  subCategory?: string;
}

export interface HubSpotApiErrorExtras {
  errors?: HubSpotErrorDetail[];
  context?: Record<string, string[]>;
  subCategory?: string;
}

/** Thrown anywhere below a route; the server's error handler renders it as HubSpot does. */
export class HubSpotApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    /** Left out for the bare 404 of a numeric id that does not exist, as HubSpot does. */
    readonly category: string | undefined,
    readonly extras: HubSpotApiErrorExtras = {},
  ) {
    super(message);
    this.name = 'HubSpotApiError';
  }

  toBody(correlationId: string): HubSpotErrorBody {
    const body: HubSpotErrorBody = { status: 'error', message: this.message, correlationId };
    if (this.extras.errors) body.errors = this.extras.errors;
    if (this.extras.context) body.context = this.extras.context;
    if (this.category !== undefined) body.category = this.category;
    if (this.extras.subCategory !== undefined) body.subCategory = this.extras.subCategory;
    return body;
  }
}

export function validationError(message: string, extras?: HubSpotApiErrorExtras): HubSpotApiError {
  return new HubSpotApiError(400, message, 'VALIDATION_ERROR', extras);
}

/**
 * A numeric id that does not exist. The message is HubSpot's; the category is added so
 * that every error body has the shape the client's Error model requires.
 */
export function resourceNotFound(): HubSpotApiError {
  return new HubSpotApiError(404, 'resource not found', 'OBJECT_NOT_FOUND');
}

/** A non-numeric id without `idProperty` (two spaces after the full stop, as captured). */
export function objectIdNotNumeric(id: string): HubSpotApiError {
  return new HubSpotApiError(404, 'Object not found.  objectId are usually numeric.', 'OBJECT_NOT_FOUND', {
    context: { id: [id] },
  });
}

export function conflict(message: string): HubSpotApiError {
  return new HubSpotApiError(409, message, 'CONFLICT');
}

export const AUTHENTICATION_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export function authenticationError(): HubSpotApiError {
  return new HubSpotApiError(401, AUTHENTICATION_MESSAGE, 'INVALID_AUTHENTICATION');
}

/**
 * HubSpot reports request bodies its JSON binder cannot build as "Invalid input JSON …",
 * naming the missing required attributes the way its Java models do
 * ("Cannot build X, some of required attributes are not set [inputs]").
 */
export function invalidInput(issues: readonly z.core.$ZodIssue[], modelName: string): HubSpotApiError {
  const missing = issues
    .filter((i) => i.code === 'invalid_type' && i.message.endsWith('received undefined'))
    .map((i) => i.path.map(String).join('.'));
  if (missing.length > 0 && missing.length === issues.length) {
    return validationError(
      `Invalid input JSON: Cannot build ${modelName}, some of required attributes are not set [${missing.join(', ')}]`,
    );
  }
  const first = issues[0];
  const where = first && first.path.length > 0 ? ` at ${first.path.map(String).join('.')}` : '';
  return validationError(`Invalid input JSON${where}: ${first?.message ?? 'malformed request body'}`);
}

/** The body of a request that is not JSON at all. Line and column come from the parser. */
export function malformedJson(body: string, error: unknown): HubSpotApiError {
  const reason = error instanceof Error ? error.message : String(error);
  const position = /position (\d+)/.exec(reason);
  let line = 1;
  let column = 1;
  if (position?.[1] !== undefined) {
    const upTo = body.slice(0, Number(position[1]));
    const lines = upTo.split('\n');
    line = lines.length;
    column = (lines[lines.length - 1]?.length ?? 0) + 1;
  }
  return validationError(`Invalid input JSON on line ${line}, column ${column}: ${reason}`);
}
