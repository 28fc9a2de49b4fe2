import { DefaultLogger, Runtime } from '@temporalio/worker';

// Keep test output readable: the SDK's worker logs only warnings and errors.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed by an earlier test file in this worker process.
}
