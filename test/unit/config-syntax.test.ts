import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYaml } from '../../src/config/yaml.js';
import { formatProblemWithLine } from '../../src/errors.js';

/** What the loader shows for a file holding `text`: its first syntax error, with line and caret. */
function shown(text: string): string {
  const { problems } = parseYaml('agent.yaml', text);
  assert.equal(problems.length, 1, `one problem for ${JSON.stringify(text)}`);
  return formatProblemWithLine(problems[0]!);
}

// Each common mistake, in the words and at the place the reader needs; a fixture in
// test/fixtures/config/invalid/ pins the same through the whole loader.
const CASES: [string, string, string[]][] = [
  [
    'a key indented deeper than its siblings',
    'agent:\n  region: eu-west-1\n   datacenter: dc1\n',
    [
      'agent.yaml:3:4: this line is indented more than the key above it, so it reads as part of that value',
      '  3 |    datacenter: dc1',
      '    |    ^',
    ],
  ],
  [
    'a key indented less than its siblings',
    'agent:\n    region: a\n  datacenter: b\n',
    ['agent.yaml:3:3: this key is not lined up with the keys above it', '  3 |   datacenter: b', '    |   ^'],
  ],
  [
    'a list item out of line',
    'checks:\n  - name: a\n   - name: b\n',
    ['agent.yaml:3:4: this list item is not lined up with the items above it', '  3 |    - name: b', '    |    ^'],
  ],
  [
    'a tab as indentation',
    'agent:\n\tregion: x\n',
    ['agent.yaml:2:1: a tab indents this line: YAML indents with spaces only', '  2 | \tregion: x', '    | ^'],
  ],
  [
    'an unclosed double quote, placed at the quote rather than at the end of the file',
    'agent:\n  region: "eu\nchecks: []\n',
    ['agent.yaml:2:11: this value opened with " has no closing "', '  2 |   region: "eu', '    |           ^'],
  ],
  [
    'an unclosed [, placed at the bracket rather than on the next line',
    'probes:\n  files: [a.yaml, b.yaml\nchecks: []\n',
    [
      'agent.yaml:2:10: this list opened with "[" is not closed with "]"',
      '  2 |   files: [a.yaml, b.yaml',
      '    |          ^',
    ],
  ],
  [
    'an unclosed {',
    'agent:\n  labels: {team: sre\n',
    [
      'agent.yaml:2:11: this map opened with "{" is not closed with "}"',
      '  2 |   labels: {team: sre',
      '    |           ^',
    ],
  ],
  [
    'a value holding ": "',
    'checks:\n  - name: a\n    target: http://x: y\n',
    [
      'agent.yaml:3:13: this value contains ": "; put the value in quotes',
      '  3 |     target: http://x: y',
      '    |             ^',
    ],
  ],
  [
    'a key without a colon',
    'agent:\n  region\n  datacenter: dc1\n',
    [
      'agent.yaml:2:3: expected KEY: VALUE here: a key needs a colon and a space after it',
      '  2 |   region',
      '    |   ^',
    ],
  ],
  [
    'a list item among the keys of a map',
    'agent:\n  region: a\n  - b\n',
    [
      'agent.yaml:3:3: a list item ("- ") cannot stand among the keys of a map; put the list under a key',
      '  3 |   - b',
      '    |   ^',
    ],
  ],
  [
    'a value starting with a reserved character',
    'agent:\n  region: @eu\n',
    ['agent.yaml:2:11: a value cannot start with @ unless quoted', '  2 |   region: @eu', '    |           ^'],
  ],
  [
    'a key written twice',
    'agent:\n  region: a\n  region: b\n',
    [
      'agent.yaml:3:3: key "region" is written twice in the same map; a key may appear only once',
      '  3 |   region: b',
      '    |   ^',
    ],
  ],
  [
    'a second document',
    'agent: {}\n---\nchecks: []\n',
    ['agent.yaml:2:1: a second document starts here ("---"); a file holds one', '  2 | ---', '    | ^'],
  ],
  [
    "an error without plain words: the parser's first line",
    'a: |x\n  b\n',
    ['agent.yaml:1:5: Block scalar header includes extra characters: |x', '  1 | a: |x', '    |     ^'],
  ],
];

for (const [name, text, lines] of CASES) {
  test(`YAML syntax: ${name}`, () => assert.equal(shown(text), lines.join('\n')));
}

test('a long line is cut around the column, the caret still under it', () => {
  const pairs = Array.from({ length: 40 }, (_, i) => `k${i}: v, `).join('');
  const written = `  labels: {${pairs}last: @v}`;
  const [head, line, caret] = shown(`agent:\n${written}\n`).split('\n');
  assert.equal(head, `agent.yaml:2:${written.indexOf('@') + 1}: a value cannot start with @ unless quoted`);
  assert.ok(line!.startsWith('  2 | …'), line);
  assert.ok(line!.length <= 2 + 4 + 1 + 100 + 1, `${line!.length} characters`);
  assert.equal(line![caret!.indexOf('^')], '@');
});

test('a tab before the column stays a tab under the line, so the caret lines up', () => {
  const text = 'agent: {region:\t@eu}\n';
  const [, line, caret] = shown(text).split('\n');
  assert.equal(caret, '    |                \t^');
  assert.equal(line, '  1 | agent: {region:\t@eu}');
});

test('a credential written on the line shown is replaced, the caret still on its place', () => {
  assert.equal(
    shown('checks:\n  - http:\n      auth: { basic: { user: u, password: "hunter2 } }\n'),
    [
      'agent.yaml:3:43: this value opened with " has no closing "',
      // The rest of the line is inside the quotes, so all of it goes.
      '  3 |       auth: { basic: { user: u, password: <redacted>',
      '    |                                           ^',
    ].join('\n'),
  );
  const [, line, caret] = shown('probes:\n  x: [http://u:s3cret@h.example/, token: abc, @y]\n').split('\n');
  assert.equal(line, '  2 |   x: [http://u:<redacted>@h.example/, token: <redacted>, @y]');
  assert.equal(line[caret!.indexOf('^')], '@');
  assert.doesNotMatch(shown('a:\n  Authorization: Bearer abc.def\n   b: 1\n'), /abc\.def/);
});
