import type { Server } from 'node:http';
import { Command } from 'commander';
import { parseDuration } from '../../config/units.js';
import { CanaryError, ERROR_CODES } from '../../errors.js';
import { createLogger, type LogFormat } from '../../log.js';
import { logFormat, logFormatOption } from '../log-format.js';
import { formatHostPort, parseListen } from '../../net/listen.js';
import { createProxyApi } from '../../proxy/api.js';
import { ProxyApiError } from '../../proxy/api-error.js';
import { loadProxyFile } from '../../proxy/config.js';
import { ProxyRegistry } from '../../proxy/registry.js';
import { usageError } from '../exit.js';
import type { Io } from '../io.js';
import { onFatal, untilSignal } from '../lifecycle.js';

interface ProxyFlags {
  listen: string;
  config?: string;
  defaultTtl?: string;
  logFormat?: LogFormat;
}

/** `canary proxy`: the fault-injecting TCP proxy and its Toxiproxy-compatible API, until SIGINT/SIGTERM. */
export function proxyCommand(io: Io): Command {
  return new Command('proxy')
    .description(
      'run a fault-injecting TCP proxy (latency, bandwidth, resets, HTTP 503s, ...) with a Toxiproxy-compatible REST API',
    )
    .option('-l, --listen <host:port>', 'address of the REST API and /metrics', '127.0.0.1:8474')
    .option('-c, --config <file>', 'JSON or YAML list of proxies to create at start, as Toxiproxy -config')
    .option('--default-ttl <duration>', 'toxics without a ttl remove themselves after this long (e.g. 10m)')
    .addOption(logFormatOption())
    .addHelpText(
      'after',
      '\nExample:\n  canary proxy --config test/fixtures/proxy/proxies.yaml\n' +
        '  curl -s -X POST 127.0.0.1:8474/proxies/api/toxics -d \'{"type":"latency","attributes":{"latency":200},"ttl":60000}\'\n' +
        '  curl -s 127.0.0.1:8474/metrics | grep canary_proxy_\n\nSIGINT/SIGTERM closes every proxy, then exits 0. An unexpected error is logged,\n' +
        'every proxy is closed, and the exit is 1.',
    )
    .action(async (flags: ProxyFlags) => {
      const defaultToxicTtlMs = flags.defaultTtl === undefined ? undefined : parseDuration(flags.defaultTtl);
      if (flags.defaultTtl !== undefined && defaultToxicTtlMs === undefined)
        throw usageError(`--default-ttl ${flags.defaultTtl}: must be a duration such as 10m`);
      const { host, port } = parseListen(flags.listen);
      const bodies = flags.config === undefined ? [] : await loadProxyFile(flags.config);
      const logger = createLogger({ level: 'info', format: logFormat(flags.logFormat) });
      const registry = new ProxyRegistry({ defaultToxicTtlMs });
      const api = createProxyApi(registry);
      // One stop for a signal and a bug alike; a bug then exits 1 (the process policy).
      let stopping: Promise<void> | undefined;
      const stop = () =>
        (stopping ??= new Promise<void>((resolve) => api.close(() => resolve())).then(() => registry.close()));
      const offFatal = onFatal({ logger, stop });
      try {
        await registry.populate(bodies).catch((err: unknown) => {
          // A bad toxic or a busy port in the file is bad input, not a crash.
          if (err instanceof ProxyApiError)
            throw new CanaryError(ERROR_CODES.config, `${flags.config ?? ''}: ${err.message}`, { cause: err });
          throw err;
        });
        await listen(api, host, port);
        const address = api.address();
        const where =
          address !== null && typeof address === 'object'
            ? formatHostPort(address.address, address.port)
            : flags.listen;
        io.out(JSON.stringify({ api: `http://${where}`, proxies: registry.list().map((p) => p.toJSON()) }));
        const signal = await untilSignal(logger);
        logger.info({ signal }, 'stopping fault proxy');
      } finally {
        await stop();
        offFatal();
      }
    });
}

function listen(server: Server, host: string | undefined, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err) =>
      reject(
        new CanaryError(ERROR_CODES.listen, `cannot listen on ${host ?? ''}:${port}: ${err.message}`, { cause: err }),
      ),
    );
    server.listen({ host, port }, resolve);
  });
}
