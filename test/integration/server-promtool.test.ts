import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PrometheusSink } from '../../src/exporters/prometheus.js';
import { createLogger } from '../../src/log.js';
import { EventBus } from '../../src/results/bus.js';
import { ALL_FAILURE_REASONS } from '../../src/results/reasons.js';
import type { CheckResult } from '../../src/results/types.js';
import { createServer } from '../../src/server/index.js';
import { findTool, promtoolCheckMetrics } from '../helpers/promtool.js';
import { makeResult } from '../helpers/results.js';

function result(check: string, ok: boolean, over: Partial<Omit<CheckResult, 'observation'>> = {}): CheckResult {
  return makeResult(
    {
      check,
      target: `https://127.0.0.1/${check}`,
      region: 'eu-west-1',
      ok,
      startedAt: Date.now(),
      durationSeconds: 0.3,
      ...over,
    },
    {
      phases: { resolve: 0.001, connect: 0.01, tls: 0.05, processing: 0.2, transfer: 0.04 },
      dnsLookupSeconds: 0.001,
      http: {
        status: ok ? 200 : 500,
        version: '2',
        redirects: 2,
        finalUrl: '',
        headers: {},
        bodyBytes: 1_024,
        ssl: true,
      },
      tls: { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', earliestCertExpiry: 1_900_000_000 },
    },
  );
}

for (const renderThread of [false, true])
  test(`the /metrics exposition passes promtool check metrics with no warnings (render thread ${renderThread ? 'on' : 'off'})`, async (t) => {
    const promtool = findTool('promtool');
    if (!promtool) {
      t.skip('promtool not found in PATH (Debian package "prometheus")');
      return;
    }
    const bus = new EventBus();
    const sink = new PrometheusSink({
      bus,
      region: 'eu-west-1',
      agentLabels: { team: 'sre', env: 'prod' },
      version: '0.1.0',
      datacenter: 'dc1',
      renderThread,
      checks: [
        { name: 'api', kind: 'http' },
        { name: 'web', kind: 'http' },
      ],
    });
    bus.emit('result', result('api', true));
    for (const reason of ALL_FAILURE_REASONS)
      bus.emit('result', result('web', false, { reason, message: `quote " and \\ and\nnewline` }));
    bus.emit('result', result('db', true, { kind: 'tcp' }));
    bus.emit('scheduler.lag', { check: 'api', kind: 'http', seconds: 0.004 });
    bus.emit('scheduler.skipped', { check: 'web', kind: 'http' });
    sink.setReloadResult(false);

    const server = createServer({
      listen: '127.0.0.1:0',
      metrics: (a) => sink.metrics(a),
      ready: () => true,
      logger: createLogger({ level: 'silent' }),
    });
    const { url } = await server.start();
    try {
      assert.equal(sink.renderThreaded, renderThread);
      const res = await fetch(`${url}metrics`, { headers: { accept: 'text/plain;version=0.0.4' } });
      assert.equal(res.status, 200);
      const body = await res.text();
      // The exposition must really hold what promtool is asked to judge.
      for (const name of [
        'probe_success',
        'probe_http_duration_seconds',
        'probe_tls_version_info',
        'canary_probe_runs_total',
        'canary_probe_duration_seconds_bucket',
        'canary_scheduler_lag_seconds_bucket',
        'canary_agent_info',
        'canary_process_cpu_seconds_total',
      ]) {
        assert.match(body, new RegExp(`^${name}\\{`, 'm'), `${name} missing`);
      }
      const run = await promtoolCheckMetrics(promtool, body);
      assert.equal(run.stdout + run.stderr, '', 'promtool printed problems');
      assert.equal(run.code, 0);

      // And the check can fail: a counter without _total is what promtool must flag.
      const bad = await promtoolCheckMetrics(
        promtool,
        '# HELP bad_counter A counter.\n# TYPE bad_counter counter\nbad_counter 1\n',
      );
      assert.notEqual(bad.code, 0);
      assert.match(bad.stdout + bad.stderr, /_total/);
    } finally {
      await server.stop();
      sink.close();
    }
  });
