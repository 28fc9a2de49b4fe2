import { ApplicationFailure } from '@temporalio/common';
import { CrmError } from '../src/crm/errors';
import { HandoverError } from '../src/handover/errors';

/**
 * How errors of src/ reach Temporal. What no retry can fix fails the activity at once, with
 * a stable type that the Web UI shows and retry policies can name: a HandoverError (policy,
 * refused record, unknown owner) or a CrmError that is not retryable (a missing scope, a
 * refused request). A retryable CrmError (throttling, an outage) keeps its type and is
 * retried. Anything else passes unchanged (retried, typed by its name).
 */
export function toActivityFailure(err: unknown): unknown {
  if (err instanceof HandoverError) return ApplicationFailure.nonRetryable(err.message, err.type);
  if (err instanceof CrmError)
    return err.retryable
      ? ApplicationFailure.retryable(err.message, err.type)
      : ApplicationFailure.nonRetryable(err.message, err.type);
  return err;
}

/** An activity function whose errors go through toActivityFailure. */
export function withActivityFailures<A extends unknown[], O>(
  fn: (...args: A) => Promise<O>,
): (...args: A) => Promise<O> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toActivityFailure(err);
    }
  };
}
