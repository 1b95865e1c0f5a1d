import { isatty } from 'node:tty';
import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import { redactText } from './secrets/redact.js';

/** How log lines look: one JSON object each (for pipelines), or a line a person reads. */
export const LOG_FORMATS = ['pretty', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Pretty on a terminal, JSON otherwise (a pipe, a file, a log collector). */
export function defaultLogFormat(fd = 1): LogFormat {
  return isatty(fd) ? 'pretty' : 'json';
}

/** `[14:02:11.532] WARN: check is down {"check":"api","reason":"timeout"}`, coloured on a terminal. */
function prettyDestination(fd: number): DestinationStream {
  return pinoPretty({
    destination: fd,
    // Synchronous as the JSON default: the last lines before an exit are not lost.
    sync: true,
    colorize: isatty(fd),
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
}

/** The agent's logger: pino, JSON lines or pretty ones. */
export type { Logger } from 'pino';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written; `silent` writes nothing. Comes from `exporters.log.level`. */
  level: LevelWithSilent;
  /**
   * Where JSON lines go. Omitted: stdout, written synchronously so that the last lines
   * before a crash or an exit are not lost in a buffer.
   */
  destination?: DestinationStream;
  /** `pretty` writes readable lines to `fd` (default stdout) instead of JSON. Ignored with `destination`. */
  format?: LogFormat;
  /** The file descriptor pretty lines go to. @defaultValue 1 */
  fd?: number;
}

/**
 * Creates the agent's logger: one JSON object per line, the level as a word (`"warn"`,
 * not `40`) and the time as ISO 8601, so that log pipelines and people grepping a
 * journal read the same thing.
 *
 * @example
 * const logger = createLogger({ level: 'info' });
 * logger.info({ check: 'api' }, 'check is up');
 */
export function createLogger(options: LoggerOptions): Logger {
  const config = {
    level: options.level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    // Last step before the line is written: whatever a field or a message quotes, a known
    // secret value (secrets/registry.ts) never reaches the log.
    hooks: { streamWrite: redactText },
  };
  if (options.destination) return pino(config, options.destination);
  const fd = options.fd ?? 1;
  if (options.format === 'pretty') return pino(config, prettyDestination(fd));
  return fd === 1 ? pino(config) : pino(config, pino.destination({ fd, sync: true }));
}
