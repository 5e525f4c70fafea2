import pino, { type Logger } from 'pino';
import { traceLogFields } from './tracing';

export type { Logger };

/**
 * Personal data and credentials never reach the logs (UK GDPR data minimisation; no secrets in
 * logs). Paths cover request logs and the shapes our own code logs.
 */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-twilio-signature"]',
  'req.headers["stripe-signature"]',
  'res.headers["set-cookie"]',
  '*.phone',
  '*.email',
  '*.name',
  '*.address',
  '*.to',
  '*.from',
  '*.apiKey',
  '*.password',
  '*.token',
  '*.secret',
  'phone',
  'email',
  'address',
  'to',
  'from',
];

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Where to write; defaults to stdout. Tests pass a stream to assert on redaction. */
  destination?: pino.DestinationStream;
}

export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      // trace_id / span_id of the active span, so a log line leads to its trace ({} while tracing is off).
      mixin: traceLogFields,
    },
    destination,
  );
}
