import { z } from 'zod';
import { parseIp } from '../../net/ip.js';
import { checkBase, hostPortTarget, ipFamily } from './base.js';
import { duration, regex } from './common.js';
import { tlsSchema } from './http.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Standard base64 (what YAML's `!!binary` holds), padding optional. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** A `!!binary` YAML scalar: the `yaml` package reads it as bytes. */
const yamlBinary = z
  .custom<Uint8Array>((v) => v instanceof Uint8Array, { message: 'must be text or !!binary bytes' })
  .meta({ description: 'Bytes written as a YAML !!binary scalar (base64).' });

/** A `probe_expect_info` label filled from the expect match. */
const expectLabel = z.strictObject({
  name: z.string().regex(LABEL_NAME, 'must be a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)'),
  value: z.string().meta({ description: 'The value; ${1}, ${name}... are filled from the match, as in send.' }),
});

/**
 * One exchange of a conversation, in blackbox_exporter's query_response order: read lines
 * until one matches `expect` (or read `expectBytes`), write `send`, then upgrade to TLS when `starttls`.
 */
export const conversationStep = z
  .strictObject({
    send: z.union([z.string(), yamlBinary]).optional().meta({
      description:
        'Text to write, sent as is (add \\r\\n or \\n yourself). After an expect, ${1}, ${name}... are its capture groups ($$ is a $); a YAML !!binary value is sent as bytes.',
    }),
    sendBytes: z.string().regex(BASE64, 'must be base64').optional().meta({
      description: 'Bytes to write, in base64 (for protocols that are not text); instead of send.',
    }),
    expect: regex()
      .optional()
      .meta({ description: 'Read lines until one matches this regex; the connection closing first fails the check.' }),
    expectBytes: z.string().min(1).optional().meta({
      description:
        "The next bytes read must be exactly these (blackbox's expect_bytes; not line-based); instead of expect.",
    }),
    labels: z.array(expectLabel).min(1).optional().meta({
      description:
        'With expect: exported as probe_expect_info{name="value",...} 1 by /probe (values filled from the match); scheduled checks do not export them.',
    }),
    starttls: z.boolean().optional().meta({
      description:
        "After this step's expect and send, upgrade the connection to TLS with the check's `tls:` settings (STARTTLS). Bytes the server sent before the handshake fail the check with reason protocol.",
    }),
  })
  .refine(
    (s) =>
      s.send !== undefined ||
      s.sendBytes !== undefined ||
      s.expect !== undefined ||
      s.expectBytes !== undefined ||
      s.starttls === true,
    { message: 'needs send, sendBytes, expect, expectBytes, starttls or a combination' },
  )
  .refine((s) => s.expect === undefined || s.expectBytes === undefined, {
    message: 'expect and expectBytes are mutually exclusive',
  })
  .refine((s) => s.send === undefined || s.sendBytes === undefined, {
    message: 'send and sendBytes are mutually exclusive',
  })
  .refine((s) => s.labels === undefined || s.expect !== undefined, {
    message: 'labels are filled from an expect match: they need expect',
    path: ['labels'],
  })
  // A YAML !!binary send is carried as sendBytes: configuration is plain data (it is frozen, compared, shown).
  .transform(({ send, ...rest }) =>
    send instanceof Uint8Array
      ? { ...rest, sendBytes: Buffer.from(send).toString('base64') }
      : { ...rest, ...(send === undefined ? {} : { send }) },
  )
  .meta({
    description:
      "A step of the conversation, as blackbox_exporter's query_response: expect (or expectBytes) first, then send, then starttls.",
  });

export type ConversationStep = z.output<typeof conversationStep>;

/** The conversation fields shared by tcp and unix checks. */
export const conversationFields = {
  steps: z
    .array(conversationStep)
    .default([])
    .meta({ description: 'The conversation, in order; empty: connecting is enough.' }),
  maxLineLength: z
    .int()
    .min(1)
    .max(1_048_576)
    .default(8192)
    .meta({ description: 'A longer line fails the check with reason protocol.' }),
};

/** How the TCP connection is made and what is said on it. */
export const tcpOptionsSchema = z.strictObject({
  tls: z.boolean().default(false).meta({
    description: 'Start TLS right after connecting (implicit TLS, as for SMTPS or IMAPS); `tls:` holds its settings.',
  }),
  ipFamily,
  sourceIp: z
    .string()
    .refine((ip) => parseIp(ip) !== undefined, 'must be an IPv4 or IPv6 address')
    .optional()
    .meta({
      description: "Local address to connect from (blackbox's source_ip_address); it must be one of this host's.",
    }),
  ...conversationFields,
});

/** What a TCP (or unix socket) check expects beyond the conversation itself. */
export const tcpExpectSchema = z.strictObject({
  maxDuration: duration().optional(),
  certMinLifetime: duration().optional().meta({
    description: 'With TLS (tcp.tls or a starttls step): the earliest certificate in the chain must live this long.',
  }),
});

/** The problems of a conversation with its TLS settings, under `field` (`tcp` or `unix`). */
export function conversationIssues(
  field: 'tcp' | 'unix',
  steps: readonly ConversationStep[],
  implicitTls: boolean,
  expect: { certMinLifetime?: number },
  ctx: z.RefinementCtx,
): void {
  const upgrades = steps.flatMap((s, i) => (s.starttls === true ? [i] : []));
  if (implicitTls && upgrades.length > 0)
    ctx.addIssue({
      code: 'custom',
      path: [field, 'steps', upgrades[0]!, 'starttls'],
      message: 'tcp.tls already starts TLS on connecting; STARTTLS upgrades a plain connection',
    });
  if (upgrades.length > 1)
    ctx.addIssue({
      code: 'custom',
      path: [field, 'steps', upgrades[1]!, 'starttls'],
      message: 'only one starttls step: a connection is upgraded to TLS once',
    });
  if (expect.certMinLifetime !== undefined && !implicitTls && upgrades.length === 0) {
    const needs = field === 'tcp' ? 'tcp.tls: true or a starttls step' : 'a starttls step';
    ctx.addIssue({
      code: 'custom',
      path: ['expect', 'certMinLifetime'],
      message: `needs ${needs} (there is no certificate on a plain connection)`,
    });
  }
}

export const tcpCheckSchema = z
  .strictObject({
    ...checkBase,
    kind: z.literal('tcp'),
    target: hostPortTarget,
    tcp: tcpOptionsSchema.prefault({}),
    tls: tlsSchema.prefault({}),
    expect: tcpExpectSchema.prefault({}),
  })
  .superRefine((check, ctx) => conversationIssues('tcp', check.tcp.steps, check.tcp.tls, check.expect, ctx))
  .meta({ description: 'A TCP check: connect (optionally with TLS), then an optional send/expect conversation.' });
