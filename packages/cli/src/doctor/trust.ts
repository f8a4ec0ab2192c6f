// Trusted folders: `pilothouse run` starts the agent only inside one. Fails when none is trusted,
// or when the folder being checked (the current one by default) is not inside one.

import { TrustStore } from '@pilothouse/runner';
import { ok, fail, type CheckResult } from './result.js';

export function checkTrust(deps: { home: string; cwd: string }): CheckResult {
  const store = new TrustStore(deps.home);
  let folders: string[];
  let root: string | null;
  try {
    folders = store.list();
    root = folders.length > 0 ? store.trustedRoot(deps.cwd) : null;
  } catch (err) {
    return fail('trust', err instanceof Error ? err.message : String(err), `fix or delete ${deps.home}/trusted.json, then run \`pilothouse trust\` in your project`);
  }
  if (folders.length === 0) return fail('trust', `no trusted folders (in ${deps.home}/trusted.json)`, 'run `pilothouse trust` in the project folder you want the agent to work in');
  const count = `${folders.length} trusted folder${folders.length === 1 ? '' : 's'}`;
  if (!root) return fail('trust', `${deps.cwd} is not inside a trusted folder (${count}: ${folders.join(', ')})`, `run \`pilothouse trust ${deps.cwd}\` to run the agent here, or run doctor from a trusted folder`);
  return ok('trust', `${deps.cwd} is ${root === deps.cwd ? 'trusted' : `inside trusted ${root}`} (${count})`);
}
