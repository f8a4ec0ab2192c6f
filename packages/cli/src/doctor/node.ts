// Node itself: the supported range is one rule, in ../node-support.ts.

import { ok, fail, type CheckResult } from './result.js';
import { isSupportedNode, SUPPORTED_NODE_RANGE } from '../node-support.js';

export function checkNode(version: string = process.versions.node): CheckResult {
  if (!/^v?\d+\.\d+\.\d+/.test(version)) return fail('node', `cannot read the Node version "${version}"`, 'install Node 22 or 24 (https://nodejs.org)');
  const have = version.replace(/^v/, '');
  if (!isSupportedNode(have)) return fail('node', `Node v${have} is not supported (needs ${SUPPORTED_NODE_RANGE})`, 'install Node 22 or 24 (https://nodejs.org, or `nvm install 24`)');
  return ok('node', `v${have} (needs ${SUPPORTED_NODE_RANGE})`);
}
