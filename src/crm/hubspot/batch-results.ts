import type { WriteResult } from '../side';

/** A batch answer as far as pairing needs it: results and per-record errors. */
export interface BatchAnswer {
  results: { id: string; objectWriteTraceId?: string | undefined; properties?: Record<string, string | null> }[];
  errors?: { category?: string | undefined; message: string; context?: Record<string, string[]> | undefined }[];
}

/** The trace id Baton sends with input `i` of a batch; HubSpot echoes it on that input's result or error. */
export const traceIdOf = (i: number): string => String(i);

/**
 * Pairs a HubSpot batch create's answer with its inputs by identity, never by position:
 * HubSpot answers 207 with only some results and does not promise their order.
 * https://developers.hubspot.com/docs/api-reference/error-handling (multi-status: a unique
 * `objectWriteTraceId` per input comes back on its result and in its error's context)
 *
 * A result without a trace id is paired by the match key (`keyOf` of the input and of the
 * result's properties) when exactly one input has that key. An input nothing answers for, or
 * one two results claim, is a failure for that input alone: never a record of another input.
 */
export function pairBatchCreate(
  inputKeys: readonly (string | null)[],
  answer: BatchAnswer,
  resultKey: (properties: Record<string, string | null>) => string | null,
  /** The match key's property (`email`), as an error's context may name it. */
  keyProperty = 'email',
): WriteResult[] {
  const n = inputKeys.length;
  const ids: (string | undefined)[] = new Array<string | undefined>(n);
  const claimed = new Array<number>(n).fill(0);
  const failures = new Map<number, { code: string | null; reason: string }>();
  const indexOfTrace = (trace: string | undefined): number | undefined => {
    if (trace === undefined || !/^\d+$/.test(trace)) return undefined;
    const i = Number(trace);
    return i < n ? i : undefined;
  };
  const byKey = new Map<string, number[]>();
  inputKeys.forEach((key, i) => {
    if (key !== null) byKey.set(key, [...(byKey.get(key) ?? []), i]);
  });

  for (const result of answer.results) {
    let i = indexOfTrace(result.objectWriteTraceId);
    if (i === undefined && result.objectWriteTraceId === undefined && result.properties) {
      const key = resultKey(result.properties);
      const candidates = key === null ? [] : (byKey.get(key) ?? []);
      if (candidates.length === 1) i = candidates[0];
    }
    if (i === undefined) continue;
    claimed[i] = (claimed[i] ?? 0) + 1;
    ids[i] = result.id;
  }
  for (const error of answer.errors ?? []) {
    const failure = { code: error.category ?? null, reason: error.message };
    const traces = error.context?.objectWriteTraceId ?? [];
    for (const trace of traces) {
      const i = indexOfTrace(trace);
      if (i !== undefined) failures.set(i, failure);
    }
    // An error that names its record only by a unique property (HubSpot's `context.email`)
    // keeps its own message when exactly one input has that key.
    if (traces.length > 0) continue;
    for (const values of Object.values(error.context ?? {})) {
      for (const value of values) {
        const key = resultKey({ [keyProperty]: value });
        const candidates = key === null ? [] : (byKey.get(key) ?? []);
        if (candidates.length === 1 && candidates[0] !== undefined && ids[candidates[0]] === undefined)
          failures.set(candidates[0], failure);
      }
    }
  }
  return inputKeys.map((_, i): WriteResult => {
    const failure = failures.get(i);
    if (failure) return { ok: false, ...failure };
    const id = ids[i];
    if ((claimed[i] ?? 0) > 1)
      return { ok: false, code: 'AMBIGUOUS_RESULT', reason: 'HubSpot answered with two records for this input' };
    return id !== undefined
      ? { ok: true, id }
      : { ok: false, code: 'NO_RESULT', reason: 'HubSpot returned no result for this record' };
  });
}
