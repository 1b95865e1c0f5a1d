import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The absolute path of an executable found in PATH, or `undefined` when it is not
 * installed, so a test can `t.skip('promtool not found')` instead of failing or
 * passing silently.
 */
export function findTool(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return undefined;
}

/** What a tool run printed and how it exited. */
export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a tool with `input` on stdin, killing it if it has not exited within `timeoutMs`. */
export function runTool(path: string, args: readonly string[], input: string, timeoutMs = 20_000): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/**
 * Pipes an exposition through `promtool check metrics`, which parses it and lints it
 * (naming, help, suffixes). A clean exposition exits 0 and prints nothing.
 */
export function promtoolCheckMetrics(promtool: string, exposition: string): Promise<ToolRun> {
  return runTool(promtool, ['check', 'metrics'], exposition);
}
