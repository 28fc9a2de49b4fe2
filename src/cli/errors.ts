import { ConfigError } from '../config/env';
import { MappingError } from '../config/mapping-file';

/**
 * A mistake the person at the terminal can fix (an unknown email, a bad flag value, a stack
 * that is not running): printed as its sentence alone, never with a stack.
 */
export class UserError extends Error {
  override name = 'UserError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Errors whose message is the whole story for the person who ran the command. */
const PLAIN = new Set(['UserError', 'PortInUseError', 'TemporalBinaryError', 'DevInfoError']);

/** What the CLI prints for an error that ended a command, and its exit code. */
export function describeFailure(err: unknown): { text: string; exitCode: number } {
  if (err instanceof ConfigError || err instanceof MappingError) return { text: err.message, exitCode: 1 };
  if (err instanceof UserError) return { text: `baton: ${err.message}`, exitCode: err.exitCode };
  if (err instanceof Error && PLAIN.has(err.name)) return { text: `baton: ${err.message}`, exitCode: 1 };
  // Anything else is Baton's fault, not the user's: the stack is what a bug report needs.
  return { text: `baton: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, exitCode: 1 };
}
