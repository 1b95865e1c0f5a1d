/**
 * Just enough Markdown for the documentation tests: which files there are, their fenced
 * code blocks, their headings as GitHub anchors, and their relative links. Positions are
 * kept (1-based lines) so a problem can be reported as FILE:LINE.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Directories that hold no documentation of the project: dependencies, build output, runtime state. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'var']);

/** Every Markdown file under root (dot-directories and SKIPPED_DIRS left out), as sorted root-relative paths with `/`. */
export function markdownFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      if (entry.name.startsWith('.') || SKIPPED_DIRS.has(entry.name)) return [];
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.isFile() && entry.name.endsWith('.md') ? [relative(root, path).split(sep).join('/')] : [];
    });
  return walk(root).sort();
}

/** One line of a file, with its 1-based number. */
export interface Line {
  line: number;
  text: string;
}

/** A fenced code block: its info string (`sh`, `yaml`, ... or empty) and its content lines. */
export interface CodeBlock {
  info: string;
  lines: Line[];
}

/** A Markdown text split into its fenced code blocks and the prose around them. */
export interface ParsedMarkdown {
  blocks: CodeBlock[];
  /** The text with every fenced block's lines emptied, so offsets in it still map to the same lines. */
  prose: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Splits text into fenced code blocks and prose (CommonMark fences: ``` or ~~~, closed by a fence at least as long). */
export function parseMarkdown(text: string): ParsedMarkdown {
  const blocks: CodeBlock[] = [];
  const prose: string[] = [];
  let open: { fence: string; block: CodeBlock } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const fence = FENCE.exec(raw);
    if (open) {
      prose.push('');
      const closing = fence?.[1] ?? '';
      if (closing[0] === open.fence[0] && closing.length >= open.fence.length && fence?.[2]?.trim() === '')
        open = undefined;
      else open.block.lines.push({ line, text: raw });
      return;
    }
    if (fence?.[1] !== undefined) {
      const block: CodeBlock = { info: (fence[2] ?? '').trim().split(/\s+/)[0] ?? '', lines: [] };
      blocks.push(block);
      open = { fence: fence[1], block };
      prose.push('');
      return;
    }
    prose.push(raw);
  });
  return { blocks, prose: prose.join('\n') };
}

/** The 1-based line of an offset in text. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Prose with inline code spans and HTML comments blanked out (same length, newlines kept): links in them are not links. */
export function maskCode(prose: string): string {
  const blank = (s: string) => s.replace(/[^\n]/g, ' ');
  // A code span does not cross a blank line; a backtick left unclosed masks nothing.
  return prose.replace(/<!--[\s\S]*?-->/g, blank).replace(/(`+)(?!`)(?:[^\n]|\n(?![ \t]*\n))*?[^`\n]\1(?!`)/g, blank);
}

/**
 * The anchor GitHub gives a heading: its text lowercased, every character but letters,
 * digits, `_`, `-` and spaces removed, each space turned into `-`.
 */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link or image: its text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, ''); // code and emphasis marks
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a file offers: its headings' slugs (a repeated one gets `-1`, `-2`, ... as on GitHub) and `<a id|name="...">`. */
export function anchors(text: string): Set<string> {
  const { prose } = parseMarkdown(text);
  const out = new Set<string>();
  const seen = new Map<string, number>();
  for (const raw of prose.split('\n')) {
    const heading = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(raw);
    if (heading?.[1] !== undefined) {
      const base = slug(heading[1]);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      out.add(count === 0 ? base : `${base}-${count}`);
    }
  }
  for (const [, id] of maskCode(prose).matchAll(/<a\s+(?:[^>]*\s)?(?:id|name)="([^"]+)"/g)) if (id) out.add(id);
  return out;
}

/** A link's target as written, where it is written. */
export interface Link {
  line: number;
  target: string;
}

/** Inline links and images `[text](target)` and reference definitions `[ref]: target`, outside code. */
export function links(text: string): Link[] {
  const prose = maskCode(parseMarkdown(text).prose);
  const out: Link[] = [];
  const inline = /!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g;
  for (const match of prose.matchAll(inline)) {
    out.push({
      line: lineAt(prose, match.index + match[0].indexOf('](')),
      target: (match[1] ?? '').replace(/^<|>$/g, ''),
    });
  }
  for (const match of prose.matchAll(/^ {0,3}\[[^\]]+\]:[ \t]*(<[^>]*>|\S+)/gm)) {
    out.push({ line: lineAt(prose, match.index), target: (match[1] ?? '').replace(/^<|>$/g, '') });
  }
  return out.sort((a, b) => a.line - b.line);
}

/** The text of a file under root. */
export function readText(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}
