import { errorMessage } from '../../errors.js';
import { textReply } from '../routes.js';
import type { AgentServer } from '../server.js';
import { assetHandler, loadAssets, UI_DIR, type StaticAsset } from './static.js';

const DESCRIPTION = 'status page: checks, their runs, chaos runs (reads /api/v1/)';

/**
 * Registers the status page at `/` and its assets under `/ui/`. An install without the
 * page's files still probes: `/` then answers 503 saying what is missing.
 */
export function addStatusPage(server: AgentServer, dir: string = UI_DIR): void {
  let assets: StaticAsset[];
  try {
    assets = loadAssets(dir);
  } catch (error) {
    const reason = `the status page's files are missing from this install: ${errorMessage(error)}`;
    server.route('GET', '/', () => textReply(503, reason), { description: DESCRIPTION });
    return;
  }
  for (const asset of assets) {
    server.route('GET', asset.path, assetHandler(asset), { description: asset.path === '/' ? DESCRIPTION : '' });
  }
}
