// The checks every tested Node release gets from the installed package (e2e/install-package*.e2e.test.ts):
// one describe block, so Node 20, 22 and 24 are held to exactly the same behaviour.

import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild, launchBrowser } from './browser.js';
import { demoSaysHello, envFor, hubAndRunnerAnswer, installGlobally, packTarball, run, type NodeRelease } from './installed-package.js';

const CLI_VERSION = (await import('../../packages/cli/package.json', { with: { type: 'json' } })).default.version;

export function describeInstalled(release: () => NodeRelease): void {
  describe('the packed pilothouse, installed with npm i -g', () => {
    let dir: string;
    let node: NodeRelease;
    let bin: string;
    let prebuilt: boolean;
    let browser: Browser;

    beforeAll(async () => {
      ensureWebBuild();
      node = release();
      dir = mkdtempSync(join(tmpdir(), `ph-install-${node.version}-`));
      const tarball = packTarball(join(dir, 'pack'));
      ({ bin, prebuilt } = await installGlobally(tarball, node, join(dir, 'prefix')));
      browser = await launchBrowser();
    }, 900_000);

    afterAll(async () => {
      await browser?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('runs on the Node it was installed with and prints the package version', async () => {
      const version = await run(bin, ['--version'], envFor(node));
      expect(version).toMatchObject({ code: 0, stdout: `${CLI_VERSION}\n` });
      const nodeVersion = await run('node', ['--version'], envFor(node));
      expect(nodeVersion.stdout.trim()).toBe(`v${node.version}`);
      // better-sqlite3 came prebuilt on the tests' own Node (installGlobally's mirror), and was built
      // from source on the others: both of its install paths end in a working hub store.
      expect(prebuilt).toBe(node.version === process.versions.node);
    });

    it('doctor: this Node is supported, and the Codex the package brought is found', async () => {
      const home = join(dir, 'doctor-home');
      mkdirSync(home, { recursive: true });
      const doctor = await run(bin, ['doctor'], envFor(node, { HOME: home }), { timeoutMs: 60_000 });
      const lines = doctor.stdout.split('\n');
      expect(lines).toContain(`ok   node: v${node.version} (needs ^20.19.0 || >=22)`);
      expect(lines.find((l) => l.startsWith('ok   codex: '))).toContain(join(dir, 'prefix'));
      // Only what the package carries: no Claude Code or Gemini CLI from the clone.
      expect(lines.find((l) => l.startsWith('skip claude: '))).toContain('is not installed');
      // No one is signed in to Codex in a scratch HOME: doctor says so and exits non-zero.
      expect(lines.find((l) => l.includes(' sign-in: '))).toMatch(/^fail sign-in: Codex .* needs an OpenAI sign-in/);
      expect(doctor.code).not.toBe(0);
    });

    it('demo: Codex answers hello in the browser, and Ctrl-C ends it cleanly', async () => {
      const home = join(dir, 'demo-home');
      mkdirSync(home, { recursive: true });
      const { answer, exitCode } = await demoSaysHello(bin, envFor(node, { HOME: home }), browser);
      expect(answer).toContain("I'm Codex");
      expect(exitCode).toBe(0);
    }, 180_000);

    it('hub, user/channel/token, model, trust and run as separate commands: a member says hello and Codex answers', async () => {
      const result = await hubAndRunnerAnswer(bin, node);
      expect(result.page).toContain('<div id="root">');
      expect(result.answer).toMatchObject({ status: 'completed' });
      expect(result.answer?.body).toContain('Codex');
      expect(result).toMatchObject({ hubExit: 0, runnerExit: 0, modelExit: 0 });
    }, 180_000);
  });
}
