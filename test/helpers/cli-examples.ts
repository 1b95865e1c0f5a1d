/**
 * `canary` command lines as the documentation writes them, and what is wrong with one
 * according to the real commander program: an unknown subcommand, an unknown flag, a
 * missing flag value, too few or too many arguments.
 */
import type { Command, Option } from 'commander';
import type { CodeBlock } from './markdown.js';

/** Info strings of the fenced blocks whose lines are shell commands. */
export const SHELL_BLOCKS = new Set(['sh', 'bash', 'shell', 'console', 'zsh', 'shell-session', 'shellsession']);

/** One `canary ...` invocation found in a block: its first line and the words after `canary`. */
export interface Invocation {
  line: number;
  words: string[];
}

/**
 * The shell words of a command line, split into simple commands at `|`, `&`, `;` (and
 * their doubles). Quotes and backslashes are honoured; a `#` starting a word ends the
 * line; a redirection ends its command (what follows is a file name, not an argument).
 */
export function shellCommands(text: string): string[][] {
  const commands: string[][] = [[]];
  let word: string | undefined;
  let redirected = false;
  const end = () => {
    if (word !== undefined && !redirected) commands[commands.length - 1]?.push(word);
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === ' ' || c === '\t') end();
    else if (c === '#' && word === undefined) break;
    else if (c === '|' || c === '&' || c === ';') {
      end();
      redirected = false;
      commands.push([]);
      while (text.charAt(i + 1) === c) i++;
    } else if ((c === '>' || c === '<') && (word === undefined || /^\d+$/.test(word))) {
      word = undefined;
      redirected = true;
      if (text.charAt(i + 1) === '&') while (/[&\d-]/.test(text.charAt(i + 1))) i++;
    } else if (c === "'") {
      const close = text.indexOf("'", i + 1);
      word = (word ?? '') + text.slice(i + 1, close < 0 ? text.length : close);
      i = close < 0 ? text.length : close;
    } else if (c === '"') {
      let value = '';
      for (i++; i < text.length && text.charAt(i) !== '"'; i++) {
        if (text.charAt(i) === '\\' && '"\\$`'.includes(text.charAt(i + 1))) i++;
        value += text.charAt(i);
      }
      word = (word ?? '') + value;
    } else if (c === '\\') word = (word ?? '') + text.charAt(++i);
    else word = (word ?? '') + c;
  }
  end();
  return commands.filter((words) => words.length > 0);
}

/**
 * The `canary` invocations of a shell block: `canary ...`, `npx canary ...` or
 * `node [flags] .../cli/main.js ...`, after an optional `$ ` prompt, `sudo`, `env` and
 * `VAR=value` words.
 */
export function invocations(block: CodeBlock): Invocation[] {
  const out: Invocation[] = [];
  // Lines ending in a backslash continue on the next one.
  const logical: { line: number; text: string }[] = [];
  let pending: { line: number; text: string } | undefined;
  for (const { line, text } of block.lines) {
    const joined = pending ? { line: pending.line, text: `${pending.text} ${text}` } : { line, text };
    if (/\\$/.test(joined.text)) pending = { line: joined.line, text: joined.text.slice(0, -1) };
    else {
      pending = undefined;
      logical.push(joined);
    }
  }
  if (pending) logical.push(pending);
  for (const { line, text } of logical) {
    for (const words of shellCommands(text.replace(/^\s*\$\s+/, ''))) {
      const start = programStart(words);
      if (start !== undefined) out.push({ line, words: words.slice(start) });
    }
  }
  return out;
}

/** Where the arguments of the canary program start in a simple command's words, if it runs the program. */
function programStart(words: readonly string[]): number | undefined {
  let i = 0;
  while (
    i < words.length &&
    (words[i] === 'sudo' || words[i] === 'env' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] ?? ''))
  )
    i++;
  if (words[i] === 'npx') i++;
  if (words[i] === 'canary') return i + 1;
  if (!/^(.*\/)?node$/.test(words[i] ?? '')) return undefined;
  for (i++; words[i]?.startsWith('-'); i++);
  return /(^|\/)cli\/main\.js$/.test(words[i] ?? '') ? i + 1 : undefined;
}

/** The options a command accepts: its own, its ancestors' (commander reads them anywhere) and the help and version flags. */
function optionsOf(command: Command): Option[] {
  const out: Option[] = [];
  for (let c: Command | null = command; c; c = c.parent) out.push(...c.options, ...c.createHelp().visibleOptions(c));
  return out;
}

/** Flags that print and exit before anything else is checked. */
const isHelpOrVersion = (word: string) => ['--help', '-h', '--version', '-V'].includes(word);

/** The full name of a command, e.g. `canary chaos audit verify`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** What is wrong with `canary WORDS...` for this program, each problem a sentence; empty when it would parse. */
export function invocationProblems(program: Command, words: readonly string[]): string[] {
  let command = program;
  const positionals: string[] = [];
  const problems: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (isHelpOrVersion(word)) return [];
    if (word === '--') {
      positionals.push(...words.slice(i + 1));
      break;
    }
    if (word.length > 1 && word.startsWith('-')) {
      const step = optionProblem(command, word, words[i + 1]);
      if (typeof step === 'string') problems.push(step);
      else i += step;
      continue;
    }
    if (command.commands.length > 0 && positionals.length === 0) {
      const sub = command.commands.find((c) => c.name() === word || c.aliases().includes(word));
      if (!sub)
        return [
          ...problems,
          `${commandPath(command)} has no subcommand "${word}" (it has ${command.commands.map((c) => c.name()).join(', ')})`,
        ];
      command = sub;
      continue;
    }
    positionals.push(word);
  }
  if (command.commands.length > 0)
    return [
      ...problems,
      `${commandPath(command)} needs a subcommand (${command.commands.map((c) => c.name()).join(', ')})`,
    ];
  // After an unknown flag, which words are its values is a guess: arguments are not counted.
  if (problems.length > 0) return problems;
  const args = command.registeredArguments;
  const required = args.filter((a) => a.required).length;
  const variadic = args.at(-1)?.variadic === true;
  if (positionals.length < required)
    problems.push(`${commandPath(command)} needs ${required} argument(s), got ${positionals.length}`);
  if (!variadic && positionals.length > args.length)
    problems.push(
      `${commandPath(command)} takes ${args.length} argument(s), got ${positionals.length}: ${positionals.join(' ')}`,
    );
  return problems;
}

/** How many following words an option word takes (0 or 1), or what is wrong with it. */
function optionProblem(command: Command, word: string, next: string | undefined): number | string {
  const options = optionsOf(command);
  const find = (flag: string) => options.find((o) => o.long === flag || o.short === flag);
  const takesValue = (o: Option) => o.required || o.optional;
  const where = commandPath(command);
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    const option = find(eq < 0 ? word : word.slice(0, eq));
    if (!option) return `${where} has no option ${eq < 0 ? word : word.slice(0, eq)}`;
    if (eq >= 0) return takesValue(option) ? 0 : `${where}: ${option.long ?? word} takes no value`;
    if (option.required && next === undefined) return `${where}: ${word} needs a value`;
    return option.required || (option.optional && next !== undefined && !next.startsWith('-')) ? 1 : 0;
  }
  // Short flags: `-X`, `-Xvalue`, or a group of boolean flags `-abc`.
  for (let j = 1; j < word.length; j++) {
    const option = find(`-${word.charAt(j)}`);
    if (!option) return `${where} has no option -${word.charAt(j)}${word.length > 2 ? ` (in ${word})` : ''}`;
    if (takesValue(option)) {
      if (j + 1 < word.length) return 0;
      if (option.required && next === undefined) return `${where}: ${word} needs a value`;
      return option.required || (next !== undefined && !next.startsWith('-')) ? 1 : 0;
    }
  }
  return 0;
}
