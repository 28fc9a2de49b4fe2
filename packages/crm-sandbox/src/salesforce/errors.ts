/**
 * Error shapes of the REST API. A request that fails as a whole answers with an HTTP error
 * status and a JSON array `[{message, errorCode, fields?}]`; a record that fails inside a
 * collection call answers 200 with `{success:false, errors:[{statusCode, message, fields}]}`.
 * https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm
 */

export interface ApiErrorBody {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** A whole-request failure, answered with `status` and the body as the API spells it. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiErrorBody[],
  ) {
    super(body.map((b) => `${b.errorCode}: ${b.message}`).join('; '));
    this.name = 'ApiError';
  }

  static of(status: number, errorCode: string, message: string, fields?: string[]): ApiError {
    return new ApiError(status, [fields === undefined ? { message, errorCode } : { message, errorCode, fields }]);
  }
}

/** A per-record failure, as it appears in SaveResult.errors. */
export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export function saveError(statusCode: string, message: string, fields: string[] = []): SaveError {
  return { statusCode, message, fields };
}

/** A single-record call reports its record's failures as the request's failure. */
export function saveErrorsToApiError(errors: readonly SaveError[], status = 400): ApiError {
  return new ApiError(
    status,
    errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields })),
  );
}

export const NOT_FOUND_MESSAGE = 'The requested resource does not exist';

/** 404 bodies put errorCode before message (unlike other errors), as the API prints them. */
export function notFound(message = NOT_FOUND_MESSAGE): ApiError {
  return new ApiError(404, [{ errorCode: 'NOT_FOUND', message }]);
}

export const ROLLED_BACK: SaveError = saveError(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header',
);
