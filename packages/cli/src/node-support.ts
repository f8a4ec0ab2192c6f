// Which Node versions Pilothouse runs on: the one rule behind package.json's "engines", the bin's
// refusal (bin/pilothouse.js, before anything else loads) and `pilothouse doctor`. Node 21 is out:
// some dependencies (glob, lru-cache) skip it. Imports nothing, so the bin can load it first.

/** package.json "engines" (root and the packed package); a test keeps it equal to isSupportedNode. */
export const SUPPORTED_NODE_RANGE = '^20.19.0 || >=22';
/** The release lines CI runs the demo on, end to end from the packed tarball. */
export const TESTED_NODE_LINES = '20, 22 and 24';

/** Whether this Node version (e.g. "20.19.0" or "v22.1.0") is one Pilothouse supports; false when unreadable. */
export function isSupportedNode(version: string): boolean {
  const parts = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!parts) return false;
  const major = Number(parts[1]);
  const minor = Number(parts[2]);
  return (major === 20 && minor >= 19) || major >= 22;
}

/** The one line an unsupported Node gets. */
export function unsupportedNodeLine(version: string): string {
  return `Node ${version} is not supported; Pilothouse needs Node 20.19 or newer in the 20 line, or 22 and newer (${SUPPORTED_NODE_RANGE}; tested on ${TESTED_NODE_LINES})`;
}
