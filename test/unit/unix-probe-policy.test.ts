/**
 * Which unix socket paths `/probe` may reach: none unless an allow entry that is a path
 * names them, whatever the rest of the list says, and never through `.`/`..` tricks.
 * And what a unix conversation sends is hidden in `debug=true` as a tcp one's is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileAllow, parseAllowEntry, probeRefusal } from '../../src/net/address-policy.js';
import { pathRefusal } from '../../src/net/socket-path.js';
import { targetRefusal } from '../../src/server/probe/target-policy.js';
import { redactFields, secretValues } from '../../src/server/probe/debug-redact.js';
import { targetProblem } from '../../src/server/probe/request.js';
import { makeCheck } from '../helpers/kind-checks.js';

const policy = (allow?: string[]) => ({ allow: compileAllow(allow), self: undefined });

test('allow entries: an absolute path or a glob over paths; relative or dotted paths are not entries', () => {
  assert.equal(parseAllowEntry('/run/app/app.sock')?.kind, 'path');
  assert.equal(parseAllowEntry('/run/app/*.sock')?.kind, 'path');
  for (const bad of ['/run/app/../docker.sock', '/run//app.sock', '/run/app/', '/', 'run/app.sock'])
    assert.notEqual(parseAllowEntry(bad)?.kind, 'path', bad);
});

test('a unix path is refused without a path entry: with no allow list, and with only network entries', () => {
  for (const allow of [undefined, ['0.0.0.0/0', '::/0', '*']]) {
    assert.match(
      pathRefusal(policy(allow).allow, '/var/run/docker.sock')!,
      /not in server\.probe\.allow; unix socket paths are probed only when an entry lists them/,
    );
  }
});

test('a path entry admits exactly its path, a glob its directory level only', () => {
  const p = policy(['/run/app/app.sock', '/run/mail/*.sock']);
  assert.equal(pathRefusal(p.allow, '/run/app/app.sock'), undefined);
  assert.equal(pathRefusal(p.allow, '/run/mail/smtp.sock'), undefined);
  assert.match(pathRefusal(p.allow, '/run/app/other.sock')!, /not in server\.probe\.allow/);
  assert.match(
    pathRefusal(p.allow, '/run/mail/sub/smtp.sock')!,
    /not in server\.probe\.allow/,
    '* stays in one directory',
  );
  assert.match(pathRefusal(p.allow, '/run/mail/../../var/run/docker.sock')!, /not an absolute unix socket path/);
  assert.match(pathRefusal(p.allow, 'run/app/app.sock')!, /not an absolute unix socket path/);
});

test('a path entry admits no network target, and makes the list one that network targets must match', () => {
  const p = policy(['/run/app/*.sock']);
  assert.match(probeRefusal(p, { host: '192.0.2.1', port: 80 }, ['192.0.2.1'])!, /not in server\.probe\.allow/);
});

test('/probe: a unix check is judged by its path before it runs; a relative target is a failed probe', async () => {
  const check = makeCheck('unix', { target: '/run/app/app.sock' });
  const noLookup = () => Promise.reject(new Error('a path is not resolved'));
  assert.match(
    (await targetRefusal(policy(undefined), check, noLookup))!,
    /unix socket \/run\/app\/app\.sock is not in/,
  );
  assert.equal(await targetRefusal(policy(['/run/app/app.sock']), check, noLookup), undefined);
  const relative = { ...check, target: 'app.sock' };
  assert.match((await targetRefusal(policy(['/run/app/*.sock']), relative, noLookup))!, /not an absolute/);
  assert.match(targetProblem('unix', 'app.sock')!, /must be an absolute unix socket path/);
  assert.equal(targetProblem('unix', '/run/app/app.sock'), undefined);
});

test('debug=true: what a unix step sends is a secret, as for a tcp step', () => {
  const steps = [{ send: 'AUTH hunter2-secret\r\n' }, { expect: '^OK' }];
  const check = makeCheck('unix', { target: '/run/app/app.sock', unix: { steps } });
  assert.deepEqual(secretValues(check), ['AUTH hunter2-secret\r\n']);
  const fields = redactFields({ unix: { steps } }) as { unix: { steps: { send?: string }[] } };
  assert.deepEqual(fields.unix.steps, [{ send: '<secret>' }, { expect: '^OK' }]);
});
