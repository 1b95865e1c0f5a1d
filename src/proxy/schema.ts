import { z } from 'zod';

/**
 * Request bodies of the fault API, in Toxiproxy's shapes. Unknown top-level keys are
 * dropped rather than refused, because Toxiproxy clients send fields of newer versions;
 * toxic attributes are strict (see each toxic), where a typo would silently do nothing.
 */

const hostPort = z.string().regex(/^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]*):\d{1,5}$/, 'must be HOST:PORT');

/** How a toxic is created: `POST /proxies/{proxy}/toxics`. */
export const toxicBodySchema = z.object({
  /** Defaults to `${type}_${stream}`, as Toxiproxy. */
  name: z.string().min(1).optional(),
  type: z.string().min(1),
  /** `upstream`: client to server; `downstream`: server to client. */
  stream: z.enum(['upstream', 'downstream']).default('downstream'),
  /** Probability that a connection (HTTP toxics: a request) gets the toxic. */
  toxicity: z.number().min(0).max(1).default(1),
  attributes: z.record(z.string(), z.unknown()).default({}),
  /** Milliseconds after which the toxic removes itself (ours, not Toxiproxy's). */
  ttl: z.number().int().positive().optional(),
});
export type ToxicBody = z.output<typeof toxicBodySchema>;

/** How a toxic is changed: `POST /proxies/{proxy}/toxics/{toxic}`; attributes are merged. */
export const toxicUpdateSchema = z.object({
  stream: z.enum(['upstream', 'downstream']).optional(),
  toxicity: z.number().min(0).max(1).optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  ttl: z.number().int().positive().optional(),
});
export type ToxicUpdate = z.output<typeof toxicUpdateSchema>;

/** How a proxy is created: `POST /proxies`, one entry of `POST /populate` or of a config file. */
export const proxyBodySchema = z.object({
  name: z.string().min(1),
  /** Where the proxy listens; port 0 picks a free port, reported back by the API. */
  listen: hostPort,
  /** Where it connects to. */
  upstream: hostPort,
  enabled: z.boolean().default(true),
  toxics: z.array(toxicBodySchema).default([]),
});
export type ProxyBody = z.output<typeof proxyBodySchema>;

/** A list of proxies: the body of `POST /populate` and the `--config` file. */
export const proxyListSchema = z.array(proxyBodySchema);

/** How a proxy is changed: `POST /proxies/{proxy}`. */
export const proxyUpdateSchema = z.object({
  listen: hostPort.optional(),
  upstream: hostPort.optional(),
  enabled: z.boolean().optional(),
});
export type ProxyUpdate = z.output<typeof proxyUpdateSchema>;
