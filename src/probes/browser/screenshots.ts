/**
 * Failure screenshots: one PNG per failed run, named after the check and the time, in the
 * configured directory; only the newest `keep` of them stay, so a check failing every
 * 30 s for a week does not fill the disk.
 */
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** Where screenshots go and how many stay. */
export interface ScreenshotPolicy {
  dir?: string;
  keep: number;
}

/** How long a screenshot may take; a page that hangs the renderer gets none. */
const SCREENSHOT_TIMEOUT_MS = 5000;

/** Takes a screenshot of `page` for `check`; its path. Throws when the page cannot be shot. */
export async function saveScreenshot(page: Page, check: string, policy: ScreenshotPolicy): Promise<string> {
  if (policy.dir === undefined || policy.keep === 0) throw new Error('screenshots are off');
  await mkdir(policy.dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(policy.dir, `${check}-${stamp}.png`);
  await page.screenshot({ path, timeout: SCREENSHOT_TIMEOUT_MS });
  await prune(policy.dir, policy.keep);
  return path;
}

/** Deletes all but the newest `keep` PNGs in `dir`. */
export async function prune(dir: string, keep: number): Promise<void> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.png'));
  if (names.length <= keep) return;
  const dated = await Promise.all(
    names.map(async (name) => ({ path: join(dir, name), at: (await stat(join(dir, name))).mtimeMs })),
  );
  dated.sort((a, b) => b.at - a.at || b.path.localeCompare(a.path));
  // Another run may have pruned the same file a moment ago: a missing file is not a failure.
  await Promise.all(dated.slice(keep).map((file) => unlink(file.path).catch(() => undefined)));
}
