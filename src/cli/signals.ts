import type { Logger } from '../logger';

/** Runs until SIGINT/SIGTERM, then stops within `graceMs` or exits hard. */
export function untilSignal(stop: () => Promise<void>, log: Logger, graceMs = 9_000): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      const hard = setTimeout(() => {
        log.error('did not stop in time; exiting');
        process.exit(1);
      }, graceMs);
      hard.unref();
      stop().then(
        () => resolve(),
        (err: unknown) => {
          log.error({ err }, 'error while stopping');
          resolve();
        },
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
}
