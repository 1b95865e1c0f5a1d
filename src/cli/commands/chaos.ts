import { Command } from 'commander';
import type { Io } from '../io.js';
import { chaosAuditCommand } from './chaos/audit.js';
import { chaosHaltCommand, chaosResumeCommand } from './chaos/halt.js';
import { chaosListCommand } from './chaos/list.js';
import { chaosRecoverCommand } from './chaos/recover.js';
import { chaosRunCommand } from './chaos/run.js';
import { chaosValidateCommand } from './chaos/validate.js';

/** `canary chaos …`: experiments, and the switches that keep them safe. */
export function chaosCommand(io: Io): Command {
  const chaos = new Command('chaos').description(
    'chaos experiments: run, validate, list, halt, resume, recover, audit verify',
  );
  for (const sub of [
    chaosRunCommand(io),
    chaosValidateCommand(io),
    chaosListCommand(io),
    chaosHaltCommand(io),
    chaosResumeCommand(io),
    chaosRecoverCommand(io),
    chaosAuditCommand(io),
  ]) {
    chaos.addCommand(sub);
  }
  return chaos;
}
