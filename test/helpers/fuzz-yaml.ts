/**
 * Mutations of YAML files for the fuzz tests: the mistakes people make by hand (a key
 * deleted, a value of the wrong type, a key written twice, a line indented wrongly) and
 * the hostile ones (huge numbers, unicode, alias bombs, YAML tags, binary garbage). Each
 * mutation is a fast-check arbitrary of a text-to-bytes function, so a failing case
 * shrinks and replays from its seed.
 */
import fc from 'fast-check';
import { isMap, isScalar, isSeq, parseDocument, visit, type Document } from 'yaml';

/** One mutation: the file's text before, its bytes after. */
export type Mutation = { name: string; apply: (text: string) => string };

/** Scalars chosen to break loaders: wrong types, edge numbers, odd strings. */
export const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    true,
    false,
    0,
    -1,
    -0,
    1e308,
    -1e308,
    2 ** 53 + 1,
    Number.MAX_SAFE_INTEGER,
    0.5,
    '',
    ' ',
    '0s',
    '-1s',
    '99999999999999999999h',
    '1e400',
    '.inf',
    '-.nan',
    '${UNSET_VAR}',
    '${FUZZ_SET}',
    '${FUZZ_SET:-fallback}',
    '${',
    '$${x}',
    '{{address}}',
    '*',
    '**/*',
    '../../../../no/such/file',
    'probes.yaml',
    '.',
    '(a+)+$',
    '[',
    'http://',
    'http://127.0.0.1:99999/',
    '127.0.0.1:0',
    '[::1]:65536',
    '2xx',
    '600-100',
    '\u0000',
    '\u202e',
    '💥',
    'a'.repeat(5000),
  ),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

/**
 * Every path to a node of the document, the root excluded. Walked on the syntax tree, not
 * on the data: an alias is not followed, so a mutated document with aliases (even to an
 * ancestor) has as many paths as it has nodes written.
 */
function pathsOf(node: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (isSeq(node)) return node.items.flatMap((v, i) => [[...prefix, i], ...pathsOf(v, [...prefix, i])]);
  if (!isMap(node)) return [];
  return node.items.flatMap((pair) => {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (typeof key !== 'string' && typeof key !== 'number') return [];
    return [[...prefix, key], ...pathsOf(pair.value, [...prefix, key])];
  });
}

/** Changes the document at the `pick`-th path (modulo their number) with `change`; no paths, no change. */
function atPath(pick: number, change: (doc: Document, path: (string | number)[]) => void): (text: string) => string {
  return (text) => {
    const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'error' });
    if (doc.errors.length > 0) return text;
    const paths = pathsOf(doc.contents);
    const path = paths[pick % Math.max(paths.length, 1)];
    if (path === undefined) return text;
    change(doc, path);
    return doc.toString({ lineWidth: 0 });
  };
}

const deleteKey = fc.nat().map((pick) => ({
  name: `delete #${pick}`,
  apply: atPath(pick, (doc, path) => doc.deleteIn(path)),
}));

const setScalar = fc.tuple(fc.nat(), hostileScalar).map(([pick, value]) => ({
  name: `set #${pick} to ${JSON.stringify(value)?.slice(0, 40)}`,
  apply: atPath(pick, (doc, path) => doc.setIn(path, value)),
}));

const wrongType = fc.tuple(fc.nat(), fc.constantFrom<unknown>({}, [], { x: 1 }, [1, 'a'], [[]])).map(([pick, v]) => ({
  name: `set #${pick} to ${JSON.stringify(v)}`,
  apply: atPath(pick, (doc, path) => doc.setIn(path, doc.createNode(v))),
}));

const unknownKey = fc
  .tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 12 }), hostileScalar)
  .map(([pick, key, v]) => ({
    name: `add key ${JSON.stringify(key)} near #${pick}`,
    apply: atPath(pick, (doc, path) => {
      const parent = path.slice(0, -1);
      const node = parent.length === 0 ? doc.contents : doc.getIn(parent, true);
      if (isMap(node)) node.set(key, v);
      else if (isSeq(node)) node.add(v);
    }),
  }));

/** The text's lines, a chosen one changed by `change`. */
function atLine(pick: number, change: (line: string, lines: string[], i: number) => void): (text: string) => string {
  return (text) => {
    const lines = text.split('\n');
    const i = pick % lines.length;
    change(lines[i] ?? '', lines, i);
    return lines.join('\n');
  };
}

const duplicateLine = fc.nat().map((pick) => ({
  name: `duplicate line #${pick}`,
  apply: atLine(pick, (line, lines, i) => lines.splice(i, 0, line)),
}));

const reindent = fc.tuple(fc.nat(), fc.integer({ min: -4, max: 5 }), fc.boolean()).map(([pick, by, tab]) => ({
  name: `indent line #${pick} by ${by}${tab ? ' with a tab' : ''}`,
  apply: atLine(pick, (line, lines, i) => {
    const body = line.trimStart();
    const indent = Math.max(0, line.length - body.length + by);
    lines[i] = (tab ? '\t' : ' '.repeat(indent)) + body;
  }),
}));

const insertText = fc
  .tuple(
    fc.nat(),
    fc.oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
      fc.constantFrom(
        ':',
        ': ',
        '- ',
        '{',
        '}',
        '[',
        ']',
        '"',
        "'",
        '#',
        '&a ',
        '*a',
        '!!binary ',
        '? ',
        '|',
        '>',
        '%YAML 1.1\n',
      ),
      fc.constantFrom('\n---\n', '\n...\n', '\t', '\r', '\u0000', '\ufeff', '\ud800', '${', '${X:-', '}}'),
    ),
  )
  .map(([pick, inserted]) => ({
    name: `insert ${JSON.stringify(inserted)} at #${pick}`,
    apply: (text: string) => {
      const at = pick % (text.length + 1);
      return text.slice(0, at) + inserted + text.slice(at);
    },
  }));

const truncate = fc.nat().map((pick) => ({
  name: `truncate at #${pick}`,
  apply: (text: string) => text.slice(0, pick % (text.length + 1)),
}));

/** Anchors, aliases, merge keys, tags and an undefined alias, written where a value was. */
const yamlFeature = fc
  .tuple(
    fc.nat(),
    fc.constantFrom(
      '&x { a: 1 }',
      '*nope',
      '!!binary aGVsbG8=',
      '!!set { a, b }',
      '!!omap [ { a: 1 } ]',
      '!!timestamp 2001-12-14t21:59:43.10-05:00',
      '!!float 1e999',
      '!!int 0x7fffffffffffffffffff',
      '!custom value',
      '!!map { <<: [] }',
      '{ <<: { a: 1 } }',
      '"\\ud800"',
      '? [a, b]\n  : c',
    ),
  )
  .map(([pick, value]) => ({
    name: `value #${pick} as ${value}`,
    apply: atLine(pick, (line, lines, i) => {
      const colon = line.indexOf(': ');
      lines[i] = colon < 0 ? `${line} ${value}` : `${line.slice(0, colon + 2)}${value}`;
    }),
  }));

/** An anchor on one value and an alias to it in place of another (or, nested, an alias bomb). */
const aliasValue = fc.tuple(fc.nat(), fc.nat()).map(([from, to]) => ({
  name: `alias #${to} to #${from}`,
  apply: (text: string) => {
    const doc = parseDocument(text, { uniqueKeys: false, logLevel: 'error' });
    if (doc.errors.length > 0) return text;
    let nodes = 0;
    visit(doc, { Value: () => void nodes++ });
    if (nodes === 0) return text;
    const anchor = doc.createAlias(doc.getIn(pathAtIndex(doc, from % nodes), true) as never, 'fz');
    doc.setIn(pathAtIndex(doc, to % nodes), anchor);
    return doc.toString({ lineWidth: 0 });
  },
}));

function pathAtIndex(doc: Document, index: number): (string | number)[] {
  const paths = pathsOf(doc.contents);
  return paths[index % Math.max(paths.length, 1)] ?? [];
}

const wholeFile = fc
  .constantFrom(
    '',
    '---',
    '~',
    'null',
    '[]',
    '42',
    '"text"',
    '---\na: 1\n---\nb: 2\n',
    '- a\n- b\n',
    'a: &a [*a]\n',
    'a: &a ["x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
    '\ufeff',
    '\u0000\u0001\u0002',
  )
  .map((text) => ({ name: `whole file ${JSON.stringify(text)}`, apply: () => text }));

/** One mutation of any kind; the whole-file replacements rarely, as they ignore the input. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: deleteKey, weight: 3 },
  { arbitrary: setScalar, weight: 4 },
  { arbitrary: wrongType, weight: 3 },
  { arbitrary: unknownKey, weight: 2 },
  { arbitrary: duplicateLine, weight: 2 },
  { arbitrary: reindent, weight: 2 },
  { arbitrary: insertText, weight: 2 },
  { arbitrary: truncate, weight: 1 },
  { arbitrary: yamlFeature, weight: 2 },
  { arbitrary: aliasValue, weight: 1 },
  { arbitrary: wholeFile, weight: 1 },
);

/** One to three mutations, applied in order. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(mutation, { minLength: 1, maxLength: 3 });

/** Applies `list` to `text`; a mutation that throws (the yaml package refusing a change) leaves the text as it was. */
export function mutate(text: string, list: readonly Mutation[]): string {
  return list.reduce((current, m) => {
    try {
      return m.apply(current);
    } catch {
      return current;
    }
  }, text);
}

/** Random bytes (often not UTF-8) spliced into the file at `at`, or nothing. */
export const garbage: fc.Arbitrary<{ at: number; bytes: Uint8Array } | undefined> = fc.option(
  fc.record({ at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }) }),
  { freq: 8 },
);

/** The file's bytes: the text as UTF-8, with `extra` spliced in. */
export function fileBytes(text: string, extra: { at: number; bytes: Uint8Array } | undefined | null): Buffer {
  const utf8 = Buffer.from(text, 'utf8');
  if (!extra) return utf8;
  const at = extra.at % (utf8.length + 1);
  return Buffer.concat([utf8.subarray(0, at), extra.bytes, utf8.subarray(at)]);
}
