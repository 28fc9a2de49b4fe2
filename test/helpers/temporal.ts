import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { BATON_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { findTemporalBinary } from '../../src/dev/temporal-binaries';
import { ensureSearchAttributes } from '../../src/dev/search-attributes';

/** The time-skipping test server, found like every Temporal binary (see src/dev/temporal-binaries.ts). */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const bin = findTemporalBinary('testServer');
  const env = await TestWorkflowEnvironment.createTimeSkipping(
    bin ? { server: { executable: { type: 'existing-path', path: bin.path } } } : {},
  );
  await ensureSearchAttributes(env.connection, env.namespace ?? 'default');
  return env;
}

/** A real dev server (in memory) with Baton's search attributes registered. */
export async function createLocalEnv(): Promise<TestWorkflowEnvironment> {
  const bin = findTemporalBinary('cli');
  return TestWorkflowEnvironment.createLocal({
    server: {
      ...(bin ? { executable: { type: 'existing-path' as const, path: bin.path } } : {}),
      searchAttributes: [...BATON_SEARCH_ATTRIBUTES],
      log: { format: 'pretty', level: 'error' },
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Bundling takes seconds: do it once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundle;
}

const noop = () => undefined;
const quietLogger = {
  trace: noop,
  debug: noop,
  info: noop,
  warn: noop,
  error: (m: string) => console.error(m),
  log: noop,
};

let counter = 0;
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}`;
}
