/** `--log-format` of the long-running commands (run, demo, lab, proxy). */
import { Option } from 'commander';
import { defaultLogFormat, LOG_FORMATS, type LogFormat } from '../log.js';

export function logFormatOption(): Option {
  return new Option(
    '--log-format <format>',
    'pretty: one readable line per event (default on a terminal); json: one JSON object per line (default otherwise)',
  ).choices(LOG_FORMATS);
}

/** The flag's format, else the default for where the lines go. */
export function logFormat(flag: LogFormat | undefined, fd = 1): LogFormat {
  return flag ?? defaultLogFormat(fd);
}
