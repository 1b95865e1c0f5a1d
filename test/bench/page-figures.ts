/**
 * The status page's figures from the page phase: first contentful paint and the first page
 * of rows under 1 s on loopback, the load under 1 MiB. Pure: the tests feed it made-up loads.
 */
import type { Figure } from './figures.js';
import type { PageResult } from './page-run.js';

const MiB = 1024 * 1024;

export function pageFigures(result: PageResult): Figure[] {
  const loads = 'loads' in result ? result.loads : [];
  const note = 'skipped' in result ? { note: `not measured: ${result.skipped}` } : {};
  const checks = result.checks.toLocaleString('en');
  return [
    {
      id: 'page-fcp',
      what: `status page, ${checks} checks: first contentful paint of a cold load (Chromium, loopback)`,
      unit: 'ms',
      digits: 0,
      values: loads.map((l) => l.fcpMs).filter(Number.isFinite),
      target: { op: '<', value: 1000 },
      ...note,
    },
    {
      id: 'page-rows',
      what: `status page, ${checks} checks: first page of rows and the total shown`,
      unit: 'ms',
      digits: 0,
      values: loads.map((l) => l.rowsMs),
      target: { op: '<', value: 1000 },
      ...note,
    },
    {
      id: 'page-bytes',
      what: `status page, ${checks} checks: bytes received by the first page of rows`,
      unit: 'KiB',
      digits: 0,
      values: loads.map((l) => l.bytes / 1024),
      target: { op: '<', value: MiB / 1024 },
      ...note,
    },
  ];
}
