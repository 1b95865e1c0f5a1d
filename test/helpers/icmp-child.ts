/**
 * Pings argv[2] once with the icmp probe and prints the observation as JSON: run by the
 * icmp tests inside a network namespace whose sysctls differ from the test process's.
 */
import { createIcmpProbe } from '../../src/probes/icmp.js';
import { makeCheck } from './kind-checks.js';

const target = process.argv[2] ?? '127.0.0.1';
const observation = await createIcmpProbe().run(makeCheck('icmp', { target }), { signal: AbortSignal.timeout(5000) });
process.stdout.write(JSON.stringify(observation));
