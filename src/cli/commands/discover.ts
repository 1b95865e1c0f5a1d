import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { describeSkipped, discoverChecks, loadOpenApi, renderProbeFile } from '../../discovery/openapi/index.js';
import { displayPath } from '../../errors.js';
import { EXIT, usageError } from '../exit.js';
import type { Io } from '../io.js';

interface OpenApiOptions {
  baseUrl?: string;
  out?: string;
  namePrefix?: string;
  json?: boolean;
}

/** `canary discover`: writes checks from a description of an API. */
export function discoverCommand(io: Io): Command {
  return new Command('discover')
    .description('generate checks from a description of an API')
    .addCommand(openapiCommand(io))
    .addHelpText(
      'after',
      '\nExample:\n  canary discover openapi api/openapi.yaml --base-url https://api.example.com/v1 --out probes/api.yaml',
    );
}

function openapiCommand(io: Io): Command {
  return new Command('openapi')
    .description(
      'write a probe file with one check per GET/HEAD operation of an OpenAPI 3.0/3.1 spec that can be probed safely',
    )
    .argument('<spec>', 'OpenAPI document, YAML or JSON; $refs into local files are followed')
    .option('-b, --base-url <url>', "base URL of the API, base path included (default: the spec's servers[0].url)")
    .option('-o, --out <file>', 'write the probe file here instead of printing it')
    .option('--name-prefix <prefix>', 'prefix for every check name, to keep names unique across specs')
    .option('--json', 'print {checks, skipped} as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Only GET and HEAD operations are probed, and only when every required parameter has a',
        'documented value (example, examples, schema example/default/enum). Every other operation',
        'is listed with the reason it was skipped.',
        '',
        'Example:',
        '  canary discover openapi api/openapi.yaml --base-url https://api.example.com/v1 --out probes/api.yaml',
        '',
        'Exit: 0 written, 2 bad input (unreadable spec, not OpenAPI 3, no absolute base URL).',
      ].join('\n'),
    )
    .action(async (specPath: string, options: OpenApiOptions) => {
      if (options.namePrefix !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/.test(options.namePrefix)) {
        throw usageError(
          `--name-prefix ${options.namePrefix}: must start with a letter or digit and use only letters, digits, _ . : -`,
        );
      }
      const spec = await loadOpenApi(specPath);
      const discovery = discoverChecks(spec, { baseUrl: options.baseUrl, namePrefix: options.namePrefix });
      const yaml = renderProbeFile({ file: specPath, title: spec.title, apiVersion: spec.apiVersion }, discovery);
      if (options.out !== undefined) {
        await writeFile(options.out, yaml).catch((err: NodeJS.ErrnoException) => {
          throw usageError(`--out ${options.out}: cannot write: ${err.code ?? err.message}`);
        });
      }
      if (options.json) io.out(JSON.stringify({ checks: discovery.checks, skipped: discovery.skipped }, null, 2));
      else if (options.out === undefined) io.out(yaml.trimEnd());
      else {
        io.out(
          `${displayPath(options.out)}: ${discovery.checks.length} checks from ${displayPath(spec.file)}, ${discovery.skipped.length} operations skipped`,
        );
        for (const skipped of discovery.skipped) io.out(`  skipped ${describeSkipped(skipped)}`);
      }
      io.exitCode = EXIT.ok;
    });
}
