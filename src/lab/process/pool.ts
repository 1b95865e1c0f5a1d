/**
 * The balancer's view of its backends: round-robin over those not marked down, and a
 * re-probe loop that puts a down backend back the moment its health check answers.
 */
import { request } from 'node:http';

/** One backend as the balancer sees it. */
export interface PoolMember {
  readonly url: string;
  up: boolean;
}

/** Called when a backend changes state (logged by the balancer process). */
export type PoolListener = (event: 'down' | 'up', url: string, detail?: string) => void;

/** Round-robin pool with naive passive health checking. */
export class BackendPool {
  readonly members: readonly PoolMember[];
  #next = 0;
  readonly #listener: PoolListener;

  constructor(urls: readonly string[], listener: PoolListener) {
    this.members = urls.map((url) => ({ url: url.replace(/\/$/, ''), up: true }));
    this.#listener = listener;
  }

  /**
   * The next backend in turn that is up and not in `tried`, advancing the turn past it;
   * `undefined` when none is left.
   */
  pick(tried: ReadonlySet<PoolMember>): PoolMember | undefined {
    const n = this.members.length;
    for (let k = 0; k < n; k++) {
      const i = (this.#next + k) % n;
      const member = this.members[i] as PoolMember;
      if (member.up && !tried.has(member)) {
        this.#next = (i + 1) % n;
        return member;
      }
    }
    return undefined;
  }

  markDown(member: PoolMember, why: string): void {
    if (!member.up) return;
    member.up = false;
    this.#listener('down', member.url, why);
  }

  /**
   * Every `intervalMs`, `GET /healthz` on each down backend; a 200 puts it back at once
   * with its full share, however cold it is. Returns the function that stops probing.
   */
  startProbing(intervalMs: number): () => void {
    const probing = new Set<PoolMember>();
    const timer = setInterval(() => {
      for (const member of this.members) {
        if (member.up || probing.has(member)) continue;
        probing.add(member);
        void healthy(member.url, intervalMs).then((ok) => {
          probing.delete(member);
          if (ok && !member.up) {
            member.up = true;
            this.#listener('up', member.url);
          }
        });
      }
    }, intervalMs);
    return () => clearInterval(timer);
  }
}

/** True when `GET base/healthz` answers 200 within `timeoutMs`; never rejects. */
function healthy(base: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${base}/healthz`, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}
