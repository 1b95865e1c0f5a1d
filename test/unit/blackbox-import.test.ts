import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probeFiles } from '../../src/config/blackbox/probe-files.js';
import { readProbeJob } from '../../src/config/blackbox/prometheus.js';
import { translateBlackbox } from '../../src/config/blackbox/translate.js';
import { checkSchema } from '../../src/config/schema/check.js';
import { discoverySchema } from '../../src/config/schema/discovery.js';
import { parseYaml, yamlData } from '../../src/config/yaml.js';
import { formatProblem } from '../../src/errors.js';

function doc(file: string, text: string) {
  const { source } = parseYaml(file, text);
  return { source, data: yamlData(source, {}).value };
}

const BLACKBOX = doc(
  'blackbox.yml',
  `modules:
  http_2xx: { prober: http, timeout: 5s, http: { valid_status_codes: [200] } }
  dns_a: { prober: dns, dns: { query_name: example.com, query_type: A } }
  h3: { prober: http, http: { enable_http3: true, enable_http2: false } }
  ssh_banner: { prober: tcp, tcp: { query_response: [ { expect: '^SSH-2.0-' } ] } }
`,
);

const PROMETHEUS = doc(
  'prometheus.yml',
  `global: { scrape_interval: 15s }
scrape_configs:
  - job_name: web
    scrape_interval: 1m
    params: { module: [http_2xx] }
    static_configs: [ { targets: [https://www.example.com/health], labels: { team: web } } ]
    file_sd_configs: [ { files: [targets/*.json] } ]
    relabel_configs:
      - { source_labels: [__address__], target_label: __param_target }
      - { target_label: __address__, replacement: 127.0.0.1:9115 }
  - job_name: by-label
    static_configs: [ { targets: [1.1.1.1], labels: { module: dns_a } }, { targets: [x], labels: { module: h3 } } ]
    relabel_configs:
      - { source_labels: [module], target_label: __param_module }
  - job_name: ssh
    params: { module: [ssh_banner] }
    file_sd_configs: [ { files: [ssh/*.yml] } ]
`,
);

const modules = () => translateBlackbox(BLACKBOX.source, BLACKBOX.data).modules;

test('a job: params.module and __address__ make checks every scrape_interval, labels kept', () => {
  const { job, problems } = readProbeJob(PROMETHEUS.source, PROMETHEUS.data, 'web');
  assert.deepEqual(problems, []);
  const { files, skipped } = probeFiles(modules(), job);
  assert.deepEqual(skipped, []);
  assert.deepEqual(
    files.map((f) => f.name),
    ['modules.yaml', 'web.yaml', 'web-discovery.yaml'],
  );
  const checks = (files[1]?.content as { checks: unknown[] }).checks;
  assert.deepEqual(checks, [
    {
      name: 'web-www.example.com_health',
      kind: 'http',
      target: 'https://www.example.com/health',
      http: { maxBodySize: 64 * 1024 * 1024 },
      expect: { status: [200] },
      interval: '1m',
      timeout: '5000ms',
      labels: { team: 'web' },
    },
  ]);
  assert.equal(checkSchema.safeParse(checks[0]).success, true, 'a valid canary check');
  assert.equal((files[2]?.content as { probes: { discovery: unknown[] } }).probes.discovery.length, 1);
});

test('file_sd of a host:port prober becomes a discovery source with a check template', () => {
  const { job } = readProbeJob(PROMETHEUS.source, PROMETHEUS.data, 'ssh');
  const { files } = probeFiles(modules(), job);
  const sources = (files[1]?.content as { probes: { discovery: unknown[] } }).probes.discovery;
  assert.deepEqual(sources, [
    {
      name: 'ssh',
      fileSd: ['ssh/*.yml'],
      template: { kind: 'tcp', target: '{{address}}', tcp: { steps: [{ expect: '^SSH-2.0-' }] }, interval: '15s' },
    },
  ]);
  assert.equal(discoverySchema.safeParse(sources).success, true, 'a valid discovery source');
});

test('__param_module from a label; a dns target is the server; a module canary cannot honour is skipped', () => {
  const { job } = readProbeJob(PROMETHEUS.source, PROMETHEUS.data, 'by-label');
  assert.equal(job?.interval, '15s', 'the global scrape_interval');
  const { files, skipped } = probeFiles(modules(), job);
  assert.deepEqual((files[1]?.content as { checks: unknown[] }).checks, [
    {
      name: 'by-label-1.1.1.1',
      kind: 'dns',
      target: 'example.com',
      dns: { type: 'A', server: '1.1.1.1' },
      interval: '15s',
      labels: { module: 'dns_a' },
    },
  ]);
  assert.deepEqual(skipped, ['x: module "h3" is not in the blackbox file or cannot be probed']);
});

test('an unknown job is a problem naming the jobs there are', () => {
  const { problems } = readProbeJob(PROMETHEUS.source, PROMETHEUS.data, 'nope');
  assert.deepEqual(problems.map(formatProblem), [
    'prometheus.yml:3:3: scrape_configs: no job "nope": jobs are web, by-label, ssh',
  ]);
});
