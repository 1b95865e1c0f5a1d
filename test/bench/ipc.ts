/** Node children of the benchmark that talk back over IPC: the target and the raw undici prober. */
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { start, type Started } from './children.js';

/** Absolute path of a compiled script next to this one. */
export function benchScript(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

/** Starts `node SCRIPT ARGS` with an IPC channel. */
export function startNode(
  script: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): Promise<Started> {
  return start(process.execPath, [...nodeFlags, script, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
}

/** The next IPC message of `started`, or a rejection after `timeoutMs` or if it exits first. */
export function nextMessage<T>(started: Started, timeoutMs: number): Promise<T> {
  const { child } = started;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error(`no message within ${timeoutMs} ms; output: ${started.output()}`)),
      timeoutMs,
    );
    const onMessage = (message: unknown) => finish(undefined, message as T);
    const onExit = () => finish(new Error(`exited before answering; output: ${started.output()}`));
    function finish(error: Error | undefined, message?: T): void {
      clearTimeout(timer);
      child.off('message', onMessage).off('exit', onExit);
      if (error) reject(error);
      else resolve(message as T);
    }
    child.on('message', onMessage).on('exit', onExit);
  });
}

/** Sends `message` and waits for the answer. */
export function ask<T>(started: Started, message: string, timeoutMs = 5_000): Promise<T> {
  const answer = nextMessage<T>(started, timeoutMs);
  started.child.send(message);
  return answer;
}

/** A TCP port free on 127.0.0.1 right now (for programs that cannot report the port they chose). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** The target server, started and ready. */
export interface Target {
  process: Started;
  origin: string;
}

/**
 * Starts the target server process and waits for its port; `keepAliveMs` is its
 * `server.keepAliveTimeout`, `lifetimeMs` how long it lives if never stopped.
 */
export async function startTarget(keepAliveMs = 5_000, lifetimeMs = 60 * 60_000): Promise<Target> {
  const process = await startNode(benchScript('target.js'), [String(keepAliveMs), String(lifetimeMs)]);
  const { port } = await nextMessage<{ port: number }>(process, 10_000);
  return { process, origin: `http://127.0.0.1:${port}` };
}
