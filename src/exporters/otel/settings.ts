/**
 * Resolves OTLP trace export from `exporters.otlp` and the standard `OTEL_*` variables.
 * Pure and free of OpenTelemetry imports: the agent calls it to decide whether tracing is
 * on at all, and loads the SDK only when it is.
 *
 * Precedence, key by key: the config, then the signal-specific variable
 * (`OTEL_EXPORTER_OTLP_TRACES_*`), then the general one (`OTEL_EXPORTER_OTLP_*`), then
 * {@link OTLP_FALLBACKS}. A variable that does not parse is ignored with a warning, as
 * the OpenTelemetry SDKs do.
 */
import { OTLP_COMPRESSIONS, OTLP_FALLBACKS, OTLP_PROTOCOLS, type OtlpConfig } from '../../config/schema/otlp.js';
import { registerSecret } from '../../secrets/registry.js';

export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
export type OtlpCompression = (typeof OTLP_COMPRESSIONS)[number];

/** Everything the trace exporter needs, resolved. */
export interface OtlpSettings {
  /** Full URL of the traces endpoint (…/v1/traces). */
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  timeoutMs: number;
  compression: OtlpCompression;
  successSampleRatio: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
  scheduledDelayMs: number;
  /** `OTEL_SERVICE_NAME`, else `service.name` in `OTEL_RESOURCE_ATTRIBUTES`, else canary. */
  serviceName: string;
  /** `OTEL_RESOURCE_ATTRIBUTES`, decoded; the agent's own attributes win over these. */
  resourceAttributes: Record<string, string>;
}

export interface ResolvedOtlp {
  /** Undefined: tracing is off, and the SDK is never loaded. */
  settings?: OtlpSettings;
  /** Variables that were ignored, and why; the agent logs them. */
  warnings: string[];
}

type Env = Readonly<Record<string, string | undefined>>;

const TRACES_PATH = '/v1/traces';

/** Appends /v1/traces to a base URL, as the OTLP exporter spec asks for the general endpoint. */
export function tracesUrl(base: string): string {
  const url = new URL(base);
  if (!url.pathname.endsWith(TRACES_PATH)) url.pathname = url.pathname.replace(/\/+$/, '') + TRACES_PATH;
  return url.toString();
}

/** Parses the W3C-baggage-like `k=v,k2=v2` lists of OTEL_EXPORTER_OTLP_HEADERS and OTEL_RESOURCE_ATTRIBUTES. */
export function parseKeyValueList(text: string, name: string, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of text.split(',')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq).trim() : '';
    if (key === '') {
      warnings.push(`${name}: ignored "${item.trim()}" (expected key=value)`);
      continue;
    }
    try {
      out[decodeURIComponent(key)] = decodeURIComponent(item.slice(eq + 1).trim());
    } catch {
      warnings.push(`${name}: ignored "${item.trim()}" (bad percent-encoding)`);
    }
  }
  return out;
}

/** The first variable among `names` that is set and not empty, with its name. */
function pick(env: Env, names: string[]): [string, string] | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return [name, value];
  }
  return undefined;
}

function traceVar(env: Env, suffix: string): [string, string] | undefined {
  return pick(env, [`OTEL_EXPORTER_OTLP_TRACES_${suffix}`, `OTEL_EXPORTER_OTLP_${suffix}`]);
}

function envNumber(
  found: [string, string] | undefined,
  ok: (n: number) => boolean,
  warnings: string[],
): number | undefined {
  if (!found) return undefined;
  const n = Number(found[1]);
  if (Number.isFinite(n) && ok(n)) return n;
  warnings.push(`${found[0]}=${found[1]} ignored: not a valid number here`);
  return undefined;
}

function envEnum<T extends string>(
  found: [string, string] | undefined,
  allowed: readonly T[],
  warnings: string[],
  hint = '',
): T | undefined {
  if (!found) return undefined;
  if ((allowed as readonly string[]).includes(found[1])) return found[1] as T;
  warnings.push(`${found[0]}=${found[1]} ignored: expected one of ${allowed.join(', ')}${hint}`);
  return undefined;
}

function endpointFrom(config: OtlpConfig | undefined, env: Env, warnings: string[]): string {
  if (config?.endpoint) return tracesUrl(config.endpoint);
  const specific = pick(env, ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
  const general = pick(env, ['OTEL_EXPORTER_OTLP_ENDPOINT']);
  for (const [found, asIs] of [
    [specific, true],
    [general, false],
  ] as const) {
    if (!found) continue;
    try {
      // The signal-specific variable is the whole URL; the general one is a base (spec).
      return asIs ? new URL(found[1]).toString() : tracesUrl(found[1]);
    } catch {
      warnings.push(`${found[0]}=${found[1]} ignored: not a URL`);
    }
  }
  return tracesUrl(OTLP_FALLBACKS.endpoint);
}

/** The success ratio from OTEL_TRACES_SAMPLER(_ARG), read the way a ratio sampler reads it. */
function samplerRatio(env: Env, warnings: string[]): number | undefined {
  const sampler = pick(env, ['OTEL_TRACES_SAMPLER'])?.[1];
  if (sampler === 'always_on' || sampler === 'parentbased_always_on') return 1;
  if (sampler === 'always_off' || sampler === 'parentbased_always_off') return 0;
  if (sampler === 'traceidratio' || sampler === 'parentbased_traceidratio') {
    return envNumber(pick(env, ['OTEL_TRACES_SAMPLER_ARG']), (n) => n >= 0 && n <= 1, warnings) ?? 1;
  }
  return undefined;
}

function envEnabled(env: Env): boolean {
  return pick(env, ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) !== undefined;
}

/**
 * Decides whether tracing is on and with what settings. On when `exporters.otlp` is in
 * the config or an OTLP endpoint variable is set; off when `OTEL_SDK_DISABLED=true` (the
 * standard kill switch) or, without config, when `OTEL_TRACES_EXPORTER=none`.
 */
export function resolveOtlp(config: OtlpConfig | undefined, env: Env): ResolvedOtlp {
  const warnings: string[] = [];
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    if (config) warnings.push('OTEL_SDK_DISABLED=true: tracing stays off although exporters.otlp is configured');
    return { warnings };
  }
  if (!config && (!envEnabled(env) || env.OTEL_TRACES_EXPORTER?.trim() === 'none')) return { warnings };

  const fromEnv = {
    ...parseKeyValueList(env.OTEL_EXPORTER_OTLP_HEADERS ?? '', 'OTEL_EXPORTER_OTLP_HEADERS', warnings),
    ...parseKeyValueList(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? '', 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', warnings),
  };
  // Collector credentials from the environment, as `${VAR}` in `exporters.otlp.headers` is
  // (config/env.ts): never shown. The scheme word of an Authorization value is no secret.
  for (const value of Object.values(fromEnv)) registerSecret(value.replace(/^(?:Bearer|Basic)\s+/i, ''));
  const headers = { ...fromEnv, ...config?.headers };
  const resourceAttributes = parseKeyValueList(
    env.OTEL_RESOURCE_ATTRIBUTES ?? '',
    'OTEL_RESOURCE_ATTRIBUTES',
    warnings,
  );
  const positive = (n: number) => n > 0;
  const settings: OtlpSettings = {
    url: endpointFrom(config, env, warnings),
    protocol:
      config?.protocol ??
      envEnum(
        traceVar(env, 'PROTOCOL'),
        OTLP_PROTOCOLS,
        warnings,
        " (grpc is not supported: point the endpoint at the Collector's OTLP/HTTP port, 4318)",
      ) ??
      OTLP_FALLBACKS.protocol,
    headers,
    timeoutMs: config?.timeout ?? envNumber(traceVar(env, 'TIMEOUT'), positive, warnings) ?? OTLP_FALLBACKS.timeoutMs,
    compression:
      config?.compression ??
      envEnum(traceVar(env, 'COMPRESSION'), OTLP_COMPRESSIONS, warnings) ??
      OTLP_FALLBACKS.compression,
    successSampleRatio: config?.successSampleRatio ?? samplerRatio(env, warnings) ?? OTLP_FALLBACKS.successSampleRatio,
    maxQueueSize:
      config?.maxQueueSize ??
      envNumber(pick(env, ['OTEL_BSP_MAX_QUEUE_SIZE']), positive, warnings) ??
      OTLP_FALLBACKS.maxQueueSize,
    maxExportBatchSize:
      config?.maxExportBatchSize ??
      envNumber(pick(env, ['OTEL_BSP_MAX_EXPORT_BATCH_SIZE']), positive, warnings) ??
      OTLP_FALLBACKS.maxExportBatchSize,
    scheduledDelayMs:
      config?.scheduledDelay ??
      envNumber(pick(env, ['OTEL_BSP_SCHEDULE_DELAY']), positive, warnings) ??
      OTLP_FALLBACKS.scheduledDelayMs,
    serviceName: pick(env, ['OTEL_SERVICE_NAME'])?.[1] ?? resourceAttributes['service.name'] ?? 'canary',
    resourceAttributes,
  };
  // A batch larger than the queue could never fill; the SDKs clamp the same way.
  settings.maxExportBatchSize = Math.min(settings.maxExportBatchSize, settings.maxQueueSize);
  return { settings, warnings };
}
