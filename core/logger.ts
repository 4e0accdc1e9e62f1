import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stderr: stdout is reserved for command results (the last line of a `vigil` command is its JSON
 * result), so logs never mix with them.
 */
export function createLogger(level: string, name = 'vigil'): Logger {
  return pino({ name, level, base: { name } }, pino.destination({ fd: 2, sync: true }));
}
