import { z } from 'zod';
import { duration, labels } from './common.js';
import { browserAgentSchema } from './browser.js';
import { metricsLevel, retryBackoff, retryCount } from './base.js';
import { checkSchema } from './check.js';
import { discoverySchema } from './discovery.js';
import { modulesSchema } from './module.js';
import { otlpSchema } from './otlp.js';
import { probeEndpointSchema } from './probe-endpoint.js';

const listen = z
  .string()
  .regex(/^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, {
    message: 'must be HOST:PORT, e.g. 127.0.0.1:9464 or [::1]:9464',
    abort: true,
  })
  .refine((v) => Number(v.slice(v.lastIndexOf(':') + 1)) <= 65535, 'port must be at most 65535');

/** The agent's configuration file (config/agent.yaml). */
export const agentConfigSchema = z
  .strictObject({
    agent: z
      .strictObject({
        region: z
          .string()
          .min(1)
          .default('local')
          .meta({ description: 'Region label on every metric, span and log line.' }),
        datacenter: z.string().optional(),
        labels: labels().meta({ description: 'Extra labels on every metric this agent exports.' }),
      })
      .prefault({}),
    server: z
      .strictObject({
        listen: listen.default('127.0.0.1:9464'),
        token: z.string().default('').meta({ description: 'Bearer token for the control API; empty keeps it off.' }),
        webConfig: z.string().min(1).optional().meta({
          description:
            'Web config file in the format of Prometheus exporters (TLS, basic auth users, headers), relative to this file; reloaded when it changes.',
        }),
        probe: probeEndpointSchema,
        ui: z
          .strictObject({
            traceUrl: z
              .string()
              .regex(/^https?:\/\/[^\s]*\{traceId\}/, {
                error: 'must be an http:// or https:// URL containing {traceId}',
              })
              .optional()
              .meta({
                description:
                  'Link from a run to its trace in the status page and API, {traceId} replaced, e.g. https://jaeger.example.com/trace/{traceId}.',
              }),
            prometheus: z
              .url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' })
              .optional()
              .meta({
                description:
                  "The fleet's Prometheus (with deploy/prometheus/rules loaded): the status page's Fleet grid, each check by region, and the quorum verdict of CanaryCheckDownQuorum.",
              }),
          })
          .prefault({}),
      })
      .prefault({}),
    probes: z
      .strictObject({
        files: z
          .array(z.string().min(1))
          .default([])
          .meta({ description: 'Globs of probe files, relative to this file.' }),
        concurrency: z
          .int()
          .min(1)
          .max(10_000)
          .default(64)
          .meta({ description: 'Probes in flight at once, across all checks.' }),
        workers: z
          .union([z.literal('auto'), z.int().min(0).max(64)], {
            error: (issue) => `must be auto or a whole number from 0 to 64, got ${JSON.stringify(issue.input)}`,
          })
          .default(0)
          .meta({
            description:
              'Worker threads that run probes: 0 probes on the main thread; auto is one per core. Timings then never wait behind scrapes or sinks.',
          }),
        defaults: z
          .strictObject({
            interval: duration({ min: 100, minText: '100ms' }).prefault('30s'),
            timeout: duration({ min: 1 }).prefault('10s'),
            retries: z
              .strictObject({
                count: retryCount.default(0).meta({
                  description: 'Retries of a failed attempt before the run counts as failed; 0 is one attempt per run.',
                }),
                backoff: retryBackoff.prefault('500ms').meta({
                  description:
                    'Wait before the first retry, doubled before each next one; a retry the run has no time left for is not made.',
                }),
              })
              .prefault({}),
          })
          .prefault({}),
        seed: z
          .int()
          .optional()
          .meta({ description: 'Seed for the start offsets; fixed only for tests and reproducible benchmarks.' }),
        discovery: discoverySchema,
        browser: browserAgentSchema,
        openapi: z.array(z.string().min(1)).default([]).meta({
          description:
            'OpenAPI specs, relative to this file; canary_endpoint_coverage_ratio{spec} says how much of each the checks probe.',
        }),
      })
      .prefault({}),
    redact: z
      .strictObject({
        queryParams: z.array(z.string().min(1)).default([]).meta({
          description:
            'Query parameters whose values are shown as REDACTED in labels, logs, spans and errors, added to the built-in list (token, access_token, api_key, key, sig, signature, password, secret, ...).',
        }),
      })
      .prefault({}),
    checks: z.array(checkSchema).default([]),
    modules: modulesSchema,
    blackboxConfig: z.string().min(1).optional().meta({
      description:
        'A blackbox_exporter configuration file, relative to this file: its modules join modules: under their own names (docs/blackbox.md).',
    }),
    chaos: z
      .strictObject({
        enabled: z.boolean().default(false),
        files: z.array(z.string().min(1)).default([]),
        stateDir: z
          .string()
          .default('../var')
          .meta({ description: 'Journal, lock and audit log, relative to this file.' }),
        prometheus: z
          .url({ protocol: /^https?$/, error: 'must be an absolute http:// or https:// URL' })
          .optional()
          .meta({
            description:
              "The fleet's Prometheus: judges the PromQL entries of steadyState and abortWhen, and the remaining error budget of requireErrorBudget.",
          }),
        alertmanager: z
          .url({ protocol: /^https?$/ })
          .optional()
          .meta({
            description:
              'Alertmanager of the fleet: each run is shown there as CanaryChaosExperimentActive, and a CanaryChaosHalt alert stops runs.',
          }),
        onUnreachable: z
          .strictObject({
            start: z.enum(['halt', 'continue']).default('halt'),
            running: z.enum(['halt', 'continue']).default('continue'),
          })
          .prefault({})
          .meta({
            description:
              'When chaos.alertmanager cannot be asked about a fleet halt: refuse new runs / stop running ones (halt) or go on (continue).',
          }),
      })
      .prefault({}),
    exporters: z
      .strictObject({
        prometheus: z
          .strictObject({
            enabled: z.boolean().default(true),
            metrics: metricsLevel.default('full').meta({
              description:
                'Series per check: full (every blackbox breakdown and the duration histogram) or basic (what SLOs, the shipped alerts and dashboard need); a check may set its own metrics.',
            }),
            renderThread: z.boolean().default(false).meta({
              description:
                "Render /metrics on a thread of its own, so the agent's thread only copies the check store (a few ms at 10,000 checks). For hosts with cores to spare: on 2 cores it made no scrape faster and cost 60 MiB (see BENCHMARKS.md).",
            }),
          })
          .prefault({}),
        otlp: otlpSchema.optional(),
        log: z
          .strictObject({
            level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .meta({ title: 'canary agent configuration' });

export type AgentConfigInput = z.input<typeof agentConfigSchema>;
export type ParsedAgentConfig = z.output<typeof agentConfigSchema>;
