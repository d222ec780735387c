// Structured JSON logs (pino) for the worker and the CLI; Temporal's runtime logs go through the
// same logger, so every line is JSON with its context (workflow id, run id, activity...).
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { pino } from 'pino';

export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'acode-guardian' },
  // Defence in depth: fields that could carry a secret are never written, even if passed by mistake.
  redact: {
    paths: ['password', '*.password', 'token', '*.token', 'secret', '*.secret', 'apiKey', '*.apiKey'],
    censor: '[redacted]',
  },
});

const levels: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** Adapts pino to the Temporal SDK's Logger interface. */
export function temporalLogger(base = logger): TemporalLogger {
  const at =
    (level: LogLevel) =>
    (message: string, meta?: LogMetadata): void =>
      base[levels[level]](meta ?? {}, message);
  return {
    log: (level, message, meta) => at(level)(message, meta),
    trace: at('TRACE'),
    debug: at('DEBUG'),
    info: at('INFO'),
    warn: at('WARN'),
    error: at('ERROR'),
  };
}
