// Node itself: Pilothouse needs Node >= 20.9 (package.json "engines").

import { ok, fail, type CheckResult } from './result.js';

export const MIN_NODE = [20, 9, 0] as const;

export function checkNode(version: string = process.versions.node): CheckResult {
  const parts = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!parts) return fail('node', `cannot read the Node version "${version}"`, 'install Node 20.9 or newer (https://nodejs.org)');
  const have = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const cmp = have.map((n, i) => n - (MIN_NODE[i] ?? 0)).find((d) => d !== 0) ?? 0;
  if (cmp < 0) return fail('node', `Node v${have.join('.')} is older than ${MIN_NODE.slice(0, 2).join('.')}`, 'install Node 20.9 or newer (https://nodejs.org, or `nvm install 20`)');
  return ok('node', `v${have.join('.')} (needs >= ${MIN_NODE.slice(0, 2).join('.')})`);
}
