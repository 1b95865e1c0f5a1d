/** `server.probe`: the limits of `GET /probe`, where whoever sends the request picks the target. */
import { z } from 'zod';
import { ALLOW_ENTRY_MESSAGE, parseAllowEntry } from '../../net/address-policy.js';

const allowEntry = z.string().refine((entry) => parseAllowEntry(entry) !== undefined, {
  error: (issue) => `${JSON.stringify(issue.input)} ${ALLOW_ENTRY_MESSAGE}`,
});

/** `server.probe`: which targets `/probe` may reach and how many probes it runs at once. */
export const probeEndpointSchema = z
  .strictObject({
    allow: z.array(allowEntry).optional().meta({
      description:
        "Targets /probe may reach: hostnames, globs over hostnames (*.example.com), IPs and CIDRs (10.0.0.0/8, fd00::/8); a hostname or IP may end in :PORT. Unset: any target. Link-local and cloud metadata addresses and the agent's own listen address and port are refused unless an entry names them specifically.",
    }),
    maxInFlight: z
      .int()
      .min(1)
      .max(10_000)
      .default(64)
      .meta({ description: '/probe requests probing at once; one more is answered 503 with Retry-After.' }),
  })
  .prefault({});
