/**
 * The systemd unit and its example config. No systemd runs here: the unit is read as the
 * INI-like file it is, and `systemd-analyze verify` checks it too where that tool exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { repoRoot } from '../helpers/paths.js';
import { AGENT_NODE_FLAGS } from '../../src/cli/node-flags.js';
import { FORCED_EXIT_MS } from '../../src/cli/lifecycle.js';
import { ROLLBACK_BUDGET_MS } from '../../src/chaos/faults.js';

const unitPath = join(repoRoot, 'deploy', 'systemd', 'canary.service');
const unitText = readFileSync(unitPath, 'utf8');

type Unit = Map<string, Map<string, string[]>>;

/** Sections to keys to every value given (a key may repeat); comments and blanks skipped. */
function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(section && eq > 0, `not a key=value line inside a section: ${line}`);
    const key = line.slice(0, eq);
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1)]);
  }
  return unit;
}

const unit = parseUnit(unitText);
const service = unit.get('Service') ?? new Map<string, string[]>();

/** The last value of a [Service] key (later lines win in systemd). */
function one(key: string): string | undefined {
  return service.get(key)?.at(-1);
}

/** The unit's Environment= assignments. */
function environment(): Record<string, string> {
  const pairs = (service.get('Environment') ?? []).map((v) => v.split('=') as [string, string]);
  return Object.fromEntries(pairs);
}

const bin = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: { canary: string } }).bin
  .canary;

test('the unit starts the package bin with /etc/canary/agent.yaml and reloads with SIGHUP after validating', () => {
  assert.equal(
    one('ExecStart'),
    `/usr/bin/node ${AGENT_NODE_FLAGS.join(' ')} /opt/canary/${bin} run --config /etc/canary/agent.yaml`,
  );
  const reload = service.get('ExecReload') ?? [];
  assert.equal(reload.at(-1), '/bin/kill -HUP $MAINPID', 'SIGHUP is what the agent reloads on');
  assert.match(reload[0] ?? '', / validate --config \/etc\/canary\/agent\.yaml$/);
  assert.deepEqual(unit.get('Install')?.get('WantedBy'), ['multi-user.target']);
});

test('the unit restarts with a back-off and a start limit, and outlasts the agent stop', () => {
  assert.equal(one('Restart'), 'always');
  assert.match(one('RestartSec') ?? '', /^\d+s$/);
  const limits = unit.get('Unit');
  assert.ok(limits?.get('StartLimitIntervalSec') && limits.get('StartLimitBurst'), 'start limit in [Unit]');
  // The agent forces its exit 10 s after SIGTERM, plus the rollback budget while a chaos
  // run rolls back; systemd must wait longer than that.
  const stopS = (FORCED_EXIT_MS + ROLLBACK_BUDGET_MS) / 1000;
  assert.ok(Number(one('TimeoutStopSec')) > stopS, `TimeoutStopSec above ${stopS}`);
  assert.equal(one('RestartPreventExitStatus'), '2', 'an invalid config is not retried');
});

test('the unit is hardened as the task list says', () => {
  const expected: Record<string, string> = {
    DynamicUser: 'yes',
    NoNewPrivileges: 'yes',
    ProtectSystem: 'strict',
    ProtectHome: 'yes',
    PrivateTmp: 'yes',
    PrivateDevices: 'yes',
    ProtectKernelTunables: 'yes',
    ProtectKernelModules: 'yes',
    ProtectKernelLogs: 'yes',
    ProtectControlGroups: 'yes',
    LockPersonality: 'yes',
    CapabilityBoundingSet: '',
    RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX AF_NETLINK',
    StateDirectory: 'canary',
    ConfigurationDirectory: 'canary',
    EnvironmentFile: '-/etc/default/canary',
  };
  for (const [key, value] of Object.entries(expected)) assert.equal(one(key), value, key);
  assert.equal(service.get('SystemCallFilter')?.[0], '@system-service');
  // V8's JIT needs W+X pages: turning this on makes node abort at start.
  assert.ok(!service.has('MemoryDenyWriteExecute'), 'MemoryDenyWriteExecute must stay off');
  assert.ok(environment().CANARY_REGION, 'a CANARY_REGION default');
  assert.match(environment().CANARY_STATE_DIR ?? '', /^\/var\/lib\/canary\//, 'chaos state inside StateDirectory');
});

/** deploy/systemd/agent.yaml installed as /etc/canary/agent.yaml with the repo's probes. */
function installConfig(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'canary-systemd-'));
  mkdirSync(join(dir, 'probes'));
  copyFileSync(join(repoRoot, 'deploy', 'systemd', 'agent.yaml'), join(dir, 'agent.yaml'));
  copyFileSync(join(repoRoot, 'probes', 'examples.yaml'), join(dir, 'probes', 'examples.yaml'));
  return { dir, file: join(dir, 'agent.yaml') };
}

test('the example config loads with the unit environment: region, chaos state dir, reachable listen', async () => {
  const { dir, file } = installConfig();
  try {
    const env = environment();
    const config = await loadConfig(file, { env });
    assert.equal(config.agent.region, env.CANARY_REGION);
    assert.equal(config.chaos.stateDir, env.CANARY_STATE_DIR);
    assert.equal(config.server.listen, '0.0.0.0:9464');
    assert.ok(config.checks.length > 0, 'probes/*.yaml next to agent.yaml are read');
    await assert.rejects(loadConfig(file, { env: {} }), /CANARY_REGION is not set/, 'no silent default region');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Runs `systemd-analyze ARGS`; code -1 when the tool is not there. */
function analyze(args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('systemd-analyze', args, { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, output: stdout + stderr });
    });
  });
}

test('systemd-analyze verify accepts the unit', async (t) => {
  const found = (await analyze(['--version'])).code === 0;
  if (!found || !existsSync('/bin/kill')) {
    t.skip('systemd-analyze (or /bin/kill) is not installed here');
    return;
  }
  // verify checks that ExecStart's binary exists: point it at this node.
  const dir = mkdtempSync(join(tmpdir(), 'canary-unit-'));
  try {
    const path = join(dir, 'canary.service');
    writeFileSync(path, unitText.replaceAll('/usr/bin/node ', `${process.execPath} `));
    const { code, output } = await analyze(['verify', path]);
    assert.equal(code, 0, output);
    assert.doesNotMatch(output, /unknown|ignoring|invalid/i, output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
