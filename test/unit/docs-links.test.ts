/**
 * Every relative link in the repository's Markdown resolves: the file or directory exists,
 * and a `#anchor` into a Markdown file names one of its headings as GitHub slugs them.
 * Links with a scheme (https:, mailto:, ...) are not followed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { anchors, links, markdownFiles, readText, slug } from '../helpers/markdown.js';
import { repoRoot } from '../helpers/paths.js';

const files = markdownFiles(repoRoot);

/** Anchors per Markdown file, read once. */
const anchorCache = new Map<string, Set<string>>();
function anchorsOf(path: string): Set<string> {
  let found = anchorCache.get(path);
  if (!found) anchorCache.set(path, (found = anchors(readText(repoRoot, path))));
  return found;
}

/** What is wrong with one link written in `from`, or undefined when it resolves. */
function problem(from: string, target: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined;
  const hash = target.indexOf('#');
  const rawPath = (hash < 0 ? target : target.slice(0, hash)).replace(/\?.*$/, '');
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return `link ${target}: not a valid URL path`;
  }
  // A leading `/` is the repository root, as GitHub reads it.
  const resolved =
    path === ''
      ? from
      : normalize(path.startsWith('/') ? path.slice(1) : join(dirname(from), path))
          .split('\\')
          .join('/');
  if (resolved.startsWith('..')) return `link ${target}: points outside the repository`;
  if (!existsSync(join(repoRoot, resolved))) return `dead link ${target}: ${resolved} does not exist`;
  if (
    anchor === undefined ||
    anchor === '' ||
    !resolved.endsWith('.md') ||
    statSync(join(repoRoot, resolved)).isDirectory()
  )
    return undefined;
  return anchorsOf(resolved).has(anchor) ? undefined : `dead anchor ${target}: ${resolved} has no heading #${anchor}`;
}

test('headings are slugged as GitHub slugs them', () => {
  assert.equal(slug('Multi-step flows (`kind: flow`)'), 'multi-step-flows-kind-flow');
  assert.equal(slug('Prometheus-driven probing (`/probe`)'), 'prometheus-driven-probing-probe');
  assert.equal(slug('`/metrics` at 10,000 checks'), 'metrics-at-10000-checks');
  assert.equal(slug('Failback: staggered against all-at-once'), 'failback-staggered-against-all-at-once');
  assert.equal(slug('probe_success and [the runbook](x.md)'), 'probe_success-and-the-runbook');
  assert.deepEqual([...anchors('# A\n## B\n```\n# not a heading\n```\n## B\n## B ##\n')], ['a', 'b', 'b-1', 'b-2']);
});

test('links are found in prose, not in code', () => {
  const text = 'See [a](a.md) and `[b](b.md)`,\nand [c\nd](c.md#x).\n\n```\n[e](e.md)\n```\n[ref]: f.md\n';
  assert.deepEqual(links(text), [
    { line: 1, target: 'a.md' },
    { line: 3, target: 'c.md#x' },
    { line: 8, target: 'f.md' },
  ]);
});

test('every relative link and anchor in the Markdown files resolves', () => {
  assert.ok(
    files.includes('README.md') && files.some((f) => f.startsWith('docs/')),
    `Markdown files found: ${files.join(', ')}`,
  );
  let checked = 0;
  const problems = files.flatMap((file) =>
    links(readText(repoRoot, file)).flatMap(({ line, target }) => {
      checked++;
      const found = problem(file, target);
      return found ? [`${file}:${line}: ${found}`] : [];
    }),
  );
  assert.ok(checked >= 50, `only ${checked} links found`);
  assert.deepEqual(problems, [], `${problems.length} broken links:\n${problems.join('\n')}`);
});
