/** The status page's files as the agent serves them: types, caching, the CSP, nothing external, small. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../src/log.js';
import { createServer } from '../../src/server/index.js';
import { addStatusPage } from '../../src/server/ui/index.js';
import { startTestAgent } from '../helpers/agent.js';

const CONFIG = 'server: { listen: 127.0.0.1:0 }\nchecks: []\n';

/** The paths the page loads: what index.html links, and what the modules import, transitively. */
function referenced(body: string): string[] {
  const links = [...body.matchAll(/(?:src|href)="(\/ui\/[^"]+)"/g)].map((m) => m[1] as string);
  const imports = [...body.matchAll(/from '\.\/([^']+)'/g)].map((m) => `/ui/${m[1]}`);
  return [...links, ...imports];
}

test('GET / serves the page and /ui/ its assets, with a strict CSP, revalidation, and under 200 KiB', async () => {
  const agent = await startTestAgent(CONFIG);
  try {
    const index = await fetch(new URL('/', agent.url));
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(index.headers.get('content-security-policy') ?? '', /^default-src 'self';/);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
    const etag = index.headers.get('etag') ?? '';
    const again = await fetch(new URL('/', agent.url), { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);

    const seen = new Map<string, string>([['/', await index.text()]]);
    const queue = referenced(seen.get('/') ?? '');
    let total = Buffer.byteLength(seen.get('/') ?? '');
    const types: Record<string, string> = {
      js: 'text/javascript; charset=utf-8',
      css: 'text/css; charset=utf-8',
      svg: 'image/svg+xml',
    };
    while (queue.length > 0) {
      const path = queue.shift() as string;
      if (seen.has(path)) continue;
      const res = await fetch(new URL(path, agent.url));
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), types[path.slice(path.lastIndexOf('.') + 1)], path);
      assert.match(res.headers.get('content-security-policy') ?? '', /^default-src 'self';/, path);
      const body = await res.text();
      total += Buffer.byteLength(body);
      seen.set(path, body);
      queue.push(...referenced(body));
    }
    assert.ok(
      seen.has('/ui/app.js') && seen.has('/ui/style.css') && seen.has('/ui/checks.js'),
      [...seen.keys()].join(),
    );
    assert.ok(total < 200 * 1024, `assets weigh ${total} bytes`);
    for (const [path, body] of seen) {
      // Nothing loaded from elsewhere: no absolute URL in a link, an import, a fetch or a CSS url().
      assert.doesNotMatch(
        body,
        /(?:src|href)=["']?(?:https?:)?\/\/|url\(\s*["']?(?:https?:)?\/\/|from\s+["']https?:/,
        path,
      );
    }
  } finally {
    await agent.stop();
  }
});

test('the list of endpoints moved to /endpoints; other methods and unknown assets are refused', async () => {
  const agent = await startTestAgent(CONFIG);
  try {
    const list = await agent.get('/endpoints');
    assert.equal(list.status, 200);
    assert.match(list.body, /<a href="\/metrics">\/metrics<\/a>/);
    assert.match(list.body, /<a href="\/">\/<\/a> — status page/);
    const post = await fetch(new URL('/', agent.url), { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal((await agent.get('/ui/../package.json')).status, 404);
    assert.equal((await agent.get('/ui/nothing.js')).status, 404);
  } finally {
    await agent.stop();
  }
});

test('an install without the page files still serves, and / says what is missing', async () => {
  const server = createServer({
    listen: '127.0.0.1:0',
    metrics: () => Promise.resolve({ contentType: 'text/plain', body: 'up 1\n' }),
    ready: () => true,
    logger: createLogger({ level: 'silent' }),
  });
  addStatusPage(server, join(tmpdir(), 'canary-no-such-ui-dir'));
  const { url } = await server.start();
  try {
    const res = await fetch(url);
    assert.equal(res.status, 503);
    assert.match(await res.text(), /status page's files are missing from this install: .*canary-no-such-ui-dir/);
    assert.equal((await fetch(new URL('/healthz', url))).status, 200);
  } finally {
    await server.stop();
  }
});
