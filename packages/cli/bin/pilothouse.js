#!/usr/bin/env node
/* global process */
// The `pilothouse` command: the compiled CLI in dist/ (`npm run build` makes it in a clone; the
// installed package carries it). Plain JavaScript that any Node runs; it first asks
// dist/node-support.js (which imports nothing) whether this Node is supported, so an unsupported
// Node gets the supported range in one line instead of an error from deep inside a dependency.
import module from 'node:module';

// Node 22.1+ keeps compiled code between runs (in the OS temp folder): a faster start from the second
// run on. Node 20 has no such cache and starts as before.
/** @type {{ enableCompileCache?: () => unknown }} */ (module).enableCompileCache?.();

// Lint reads dist/node-support.d.ts for its types: `npm run lint` builds first.
let support;
try {
  support = await import('../dist/node-support.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('/dist/node-support.js')) {
    process.stderr.write('pilothouse: the CLI is not built: run `npm run build` in the repository first.\n');
    process.exit(1);
  }
  throw err;
}
if (!support.isSupportedNode(process.versions.node)) {
  process.stderr.write(`pilothouse: ${support.unsupportedNodeLine(process.versions.node)}.\n`);
  process.exit(1);
}
await import('../dist/main.js');
