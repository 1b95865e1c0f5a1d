import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isCanaryError } from '../../src/errors.js';
import { BlastRadius, BlastRadiusError, selectInstances } from '../../src/chaos/select.js';
import type { Target } from '../../src/chaos/model/target.js';
import { seeded } from '../helpers/random.js';

function target(name: string, size: number): Target {
  return { name, instances: Array.from({ length: size }, (_, i) => ({ name: `${name}-${i + 1}`, vars: {} })) };
}

const names = (t: Target, sel: Parameters<typeof selectInstances>[1], random: () => number): string[] =>
  selectInstances(t, sel, random).map((i) => i.name);

describe('selectInstances', () => {
  const fleet = target('b', 10);

  test('the same seed picks the same instances; different seeds pick differently', () => {
    assert.deepEqual(names(fleet, { count: 3 }, seeded(42)), names(fleet, { count: 3 }, seeded(42)));
    const picks = new Set(Array.from({ length: 20 }, (_, seed) => names(fleet, { count: 3 }, seeded(seed)).join(',')));
    assert.ok(picks.size > 5, `only ${picks.size} distinct picks over 20 seeds`);
  });

  test('count picks that many distinct instances of the target, in target order', () => {
    for (let seed = 0; seed < 50; seed++) {
      const picked = names(fleet, { count: 4 }, seeded(seed));
      assert.equal(picked.length, 4);
      assert.equal(new Set(picked).size, 4);
      const order = picked.map((n) => fleet.instances.findIndex((i) => i.name === n));
      assert.ok(
        order.every((idx, k) => idx >= 0 && (k === 0 || idx > (order[k - 1] as number))),
        picked.join(','),
      );
    }
  });

  test('every instance gets picked about equally often', () => {
    const small = target('s', 3);
    const random = seeded(7);
    const seen = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const [one] = names(small, { count: 1 }, random);
      seen.set(one as string, (seen.get(one as string) ?? 0) + 1);
    }
    for (const inst of small.instances)
      assert.ok((seen.get(inst.name) ?? 0) > 700, `${inst.name} picked ${seen.get(inst.name)} times`);
  });

  test('percent rounds up, and any percent of a non-empty target picks at least one', () => {
    const three = target('t', 3);
    const cases: [number, Target, number][] = [
      [50, three, 2],
      [33, three, 1],
      [34, three, 2],
      [100, three, 3],
      [1, fleet, 1],
      [10, fleet, 1],
      [11, fleet, 2],
      [50, target('f', 4), 2],
      [7, target('h', 100), 7],
    ];
    for (const [percent, t, expected] of cases) {
      assert.equal(selectInstances(t, { percent }, seeded(1)).length, expected, `${percent}% of ${t.instances.length}`);
    }
  });

  test('neither count nor percent picks all; fewer instances than asked picks what exists', () => {
    assert.deepEqual(
      names(fleet, {}, seeded(1)),
      fleet.instances.map((i) => i.name),
    );
    assert.equal(selectInstances(target('x', 2), { count: 5 }, seeded(1)).length, 2);
    assert.deepEqual(selectInstances(target('e', 0), { count: 1 }, seeded(1)), []);
    assert.deepEqual(selectInstances(target('e', 0), { percent: 50 }, seeded(1)), []);
  });

  test('a generator returning 1 or just under does not index past the end', () => {
    for (const value of [0, 0.9999999999, 1]) {
      const picked = selectInstances(fleet, { count: 3 }, () => value);
      assert.equal(picked.length, 3);
      assert.ok(picked.every((i) => i !== undefined));
    }
  });
});

describe('BlastRadius', () => {
  const targets = { b: target('b', 4), c: target('c', 3) };

  test('several steps each selecting one instance of a radius of one: the second is refused', () => {
    const radius = new BlastRadius({ maxInstances: 1 }, targets);
    radius.admit('b', ['b-1']);
    assert.throws(
      () => radius.admit('b', ['b-2']),
      (err: unknown) => {
        assert.ok(err instanceof BlastRadiusError);
        assert.ok(isCanaryError(err));
        assert.match(
          err.message,
          /target "b" would have 2 instance\(s\) faulted at once, over blastRadius\.maxInstances \(1\)/,
        );
        assert.equal(err.wouldFault, 2);
        return true;
      },
    );
    assert.deepEqual(radius.current('b'), ['b-1'], 'a refused admission records nothing');
  });

  test('admitting an already faulted instance again does not count it twice', () => {
    const radius = new BlastRadius({ maxInstances: 1 }, targets);
    radius.admit('b', ['b-1']);
    radius.admit('b', ['b-1']);
    assert.deepEqual(radius.current('b'), ['b-1']);
  });

  test('release makes room again', () => {
    const radius = new BlastRadius({ maxInstances: 2 }, targets);
    radius.admit('b', ['b-1', 'b-2']);
    assert.throws(() => radius.admit('b', ['b-3']), BlastRadiusError);
    radius.release('b', ['b-1']);
    radius.admit('b', ['b-3']);
    assert.deepEqual(radius.current('b').sort(), ['b-2', 'b-3']);
    radius.release('b', ['b-2', 'b-3', 'never-admitted']);
    assert.deepEqual(radius.current('b'), []);
  });

  test('maxPercent is of the target instance count, across steps, and exactly 50% is allowed', () => {
    const radius = new BlastRadius({ maxPercent: 50 }, targets);
    radius.admit('b', ['b-1']);
    radius.admit('b', ['b-2']);
    assert.throws(
      () => radius.admit('b', ['b-3']),
      /target "b" would have 3 instance\(s\) faulted at once \(75\.0% of 4\), over blastRadius\.maxPercent \(50%\)/,
    );
    // 50% of 3 is 1.5: one instance fits, two do not.
    radius.admit('c', ['c-1']);
    assert.throws(() => radius.admit('c', ['c-2']), /66\.7% of 3/);
  });

  test('percent is per target, and the stricter of both limits holds', () => {
    const radius = new BlastRadius({ maxInstances: 3, maxPercent: 25 }, targets);
    radius.admit('b', ['b-1']);
    radius.admit('c', []);
    assert.throws(() => radius.admit('b', ['b-2']), /maxPercent \(25%\)/);
    assert.throws(() => radius.admit('c', ['c-1']), /maxPercent/);
    const byCount = new BlastRadius({ maxInstances: 1, maxPercent: 100 }, targets);
    byCount.admit('b', ['b-1']);
    assert.throws(
      () => byCount.admit('c', ['c-1']),
      /would have 1 instance\(s\).*\(and 1 of other targets\).*maxInstances \(1\)/,
    );
  });

  test('a single admission larger than the radius is refused whole', () => {
    const radius = new BlastRadius({ maxInstances: 2 }, targets);
    assert.throws(() => radius.admit('b', ['b-1', 'b-2', 'b-3']), BlastRadiusError);
    assert.deepEqual(radius.current('b'), []);
  });

  test('an unknown target and a percentage of an empty target are refused', () => {
    const radius = new BlastRadius({ maxPercent: 100 }, { ...targets, empty: target('empty', 0) });
    assert.throws(() => radius.admit('nope', ['x']), /unknown target "nope"/);
    assert.throws(() => radius.admit('empty', ['ghost']), /of a target with no instances/);
  });
});

test('maxInstances counts every target of the experiment together; maxPercent stays per target', () => {
  const one = (name: string) => ({
    name,
    instances: [
      { name: `${name}-1`, vars: {} },
      { name: `${name}-2`, vars: {} },
    ],
  });
  const radius = new BlastRadius({ maxInstances: 2, maxPercent: 50 }, { a: one('a'), b: one('b'), c: one('c') });
  radius.admit('a', ['a-1']);
  radius.admit('b', ['b-1']);
  assert.throws(
    () => radius.admit('c', ['c-1']),
    /target "c" would have 1 instance\(s\) faulted at once \(and 2 of other targets\), over blastRadius.maxInstances \(2\)/,
  );
  radius.release('b', ['b-1']);
  assert.throws(() => radius.admit('a', ['a-2']), /over blastRadius.maxPercent \(50%\)/);
  radius.release('a', ['a-1']);
  radius.admit('c', ['c-1']);
  assert.deepEqual(radius.current('c'), ['c-1']);
});
