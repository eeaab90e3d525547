import pino from 'pino';

/** Logger is the structured JSON logger every component receives from the composition root. */
export type Logger = pino.Logger;

/** createLogger makes the process logger; JSON lines on stderr so stdout stays free for command output. */
export function createLogger(level: string, name = 'cascade'): Logger {
  return pino({ name, level }, pino.destination(2));
}
