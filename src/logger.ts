import pino, { type Logger } from 'pino';

/** Paths of values that must never reach a log line (tokens, personal data). */
const REDACT = [
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'clientSecret',
  '*.clientSecret',
  'email',
  '*.email',
  'properties',
  '*.properties',
];

export function createLogger(level: string = process.env.BATON_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { app: 'baton' }, redact: { paths: REDACT, censor: '[redacted]' } });
}

export type { Logger };
