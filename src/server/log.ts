/**
 * Structured logs: one JSON object per line on stderr (stdout is for the banner), via pino.
 * The small Logger interface is what the gateway calls; pino is an implementation detail.
 */
import { pino, stdSerializers, stdTimeFunctions, type DestinationStream } from 'pino';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  error(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  debug(message: string, details?: Record<string, unknown>): void;
}

/**
 * A logger at `level`. `write` receives each line (without its newline) instead of stderr,
 * for tests and embedding.
 */
export function createLogger(level: LogLevel, write?: (line: string) => void): Logger {
  const destination: DestinationStream = write
    ? { write: (chunk: string) => write(chunk.replace(/\n$/, '')) }
    : // Asynchronous: a synchronous write(2) per line was ≈ 9 % of the gateway's CPU under load
      // (one `graphql` line per operation; bench/README.md). Lines written while a write is on
      // its way are sent together in the next one, off the event loop. Nothing is lost at exit:
      // pino flushes an asynchronous destination synchronously on `exit` (a crash that ends in
      // process.exit, the end of a shutdown) — only a SIGKILL can drop the last lines.
      pino.destination({ fd: 2, sync: false });
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // Errors under any of these keys keep their name, message and stack.
      serializers: { error: stdSerializers.err, err: stdSerializers.err, cause: stdSerializers.err },
    },
    destination,
  );
  const emit = (at: Exclude<LogLevel, 'silent'>) => (message: string, details?: Record<string, unknown>) => {
    if (details) logger[at](details, message);
    else logger[at](message);
  };
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}
