// Structured JSON logs (pino) for the worker and the CLI; Temporal's runtime logs go through the
// same logger, so every line is JSON with its context (workflow id, run id, activity...).
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino } from 'pino';

/** Fields every line logged inside the current piece of work carries (set around each activity). */
export interface LogContext {
  system?: string;
  workflowId?: string;
  runId?: string;
}
export const logContext = new AsyncLocalStorage<LogContext>();

export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'acode-guardian' },
  // Any code running inside an activity (integrations included) logs with its system and run.
  mixin: () => ({ ...logContext.getStore() }),
  // Defence in depth: fields that could carry a secret are never written, even if passed by mistake.
  redact: {
    paths: [
      'password',
      '*.password',
      'token',
      '*.token',
      'secret',
      '*.secret',
      'apiKey',
      '*.apiKey',
      'clientSecret',
      '*.clientSecret',
      'secretAccessKey',
      '*.secretAccessKey',
      'routingKey',
      '*.routingKey',
      'webhookUrl',
      '*.webhookUrl',
      'authorization',
      '*.authorization',
    ],
    censor: '[redacted]',
  },
  // The SDK passes errors as `error` (e.g. "Activity failed"): keep their message and stack.
  serializers: { error: pino.stdSerializers.err },
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
