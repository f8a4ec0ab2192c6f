// The installable package on the Node this suite runs on (issue 17): `npm run pack`'s tarball, `npm i
// -g` into a clean prefix, then the installed `pilothouse` only: --version, doctor, the demo driven in
// Chromium, and a hub, admin commands, `model` and `run` as separate processes. An unsupported Node
// (20.18, from the registry) is refused with the supported range, by npm and by the bin.
// e2e/install-package-node22 and -node24 run the same on Node 22 and 24.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild } from './support/browser.js';
import { currentNode, envFor, registryNode, packTarball, run } from './support/installed-package.js';
import { describeInstalled } from './support/installed-checks.js';

/** The supported range, as the package.json says it (packages/cli/test/engines.test.ts keeps it one rule). */
const SUPPORTED_NODE_RANGE = (await import('../package.json', { with: { type: 'json' } })).default.engines.node;

describeInstalled(currentNode);

describe('an unsupported Node', () => {
  let dir: string;
  let tarball: string;
  beforeAll(() => {
    ensureWebBuild();
    dir = mkdtempSync(join(tmpdir(), 'ph-old-node-'));
    tarball = packTarball(join(dir, 'pack'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is refused with the supported range: by npm i -g --engine-strict, and by the bin in one line', async () => {
    const old = registryNode('20.18.3');
    const env = envFor(old);
    const strict = await run('npm', ['i', '-g', tarball, '--prefix', join(dir, 'prefix'), '--engine-strict', '--no-audit', '--no-fund', '--prefer-offline'], env, { timeoutMs: 300_000 });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain('EBADENGINE');
    expect(strict.stderr).toContain(SUPPORTED_NODE_RANGE);
    // The bin as the tarball carries it, started by that Node: one line, exit 1, before anything loads.
    await run('tar', ['-xzf', tarball, '-C', dir], env);
    const bin = await run(join(old.binDir, 'node'), [join(dir, 'package', 'bin', 'pilothouse.js'), 'run', '--help'], env);
    expect(bin.code).toBe(1);
    expect(bin.stdout).toBe('');
    expect(bin.stderr).toBe(`pilothouse: Node 20.18.3 is not supported; Pilothouse needs Node 20.19 or newer in the 20 line, or 22 and newer (${SUPPORTED_NODE_RANGE}; tested on 20, 22 and 24).\n`);
  }, 300_000);
});
