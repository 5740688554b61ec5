/** One pino logger for the process. Logs go to stderr so that stdout stays for command output (--json). */
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(level: string, name = 'spend'): Logger {
  return pino({ name, level }, pino.destination(2));
}
