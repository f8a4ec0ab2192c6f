#!/usr/bin/env node
/* global process */
// The `pilothouse` command: the compiled CLI in dist/ (`npm run build` makes it in a clone; the
// installed package carries it). Plain JavaScript that any Node runs, so that an unsupported Node
// gets the supported range in one line instead of a syntax error from deep inside a dependency.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 9)) {
  process.stderr.write(`pilothouse: Node ${process.versions.node} is not supported; Pilothouse needs Node 20.9 or newer (tested on 20, 22 and 24).\n`);
  process.exit(1);
}
try {
  await import('../dist/main.js');
} catch (err) {
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('/dist/main.js')) {
    process.stderr.write('pilothouse: the CLI is not built: run `npm run build` in the repository first.\n');
    process.exit(1);
  }
  throw err;
}
