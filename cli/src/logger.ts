import pino, { type Logger } from 'pino';

/** JSON logs to stderr, so that stdout stays clean for command output such as `device add`. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name, level }, pino.destination(2));
}
