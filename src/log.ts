import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';

/** The agent's logger: pino, JSON lines. */
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
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
