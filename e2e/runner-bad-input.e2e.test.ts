// Bad input for `startRunner`: each refusal is one clear error with a code, fast, and leaves
// nothing half-done in the channel (no session thread, no runner presence).

import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRunner } from '@pilothouse/runner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';

let h: SessionHarness;
const scratch: string[] = [];
beforeAll(async () => {
  h = await startSessionHarness({ start: false });
});
afterAll(async () => {
  await h.close();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
};

/** What startRunner rejected with, and how long it took. */
async function refusal(overrides: Parameters<SessionHarness['runnerOptions']>[0]): Promise<{ error: Error & { code?: string }; ms: number }> {
  const started = Date.now();
  const outcome = await startRunner(h.runnerOptions(overrides)).then(
    async (runner) => {
      await runner.close();
      return null;
    },
    (error: unknown) => error as Error & { code?: string },
  );
  if (outcome === null) throw new Error('startRunner succeeded');
  return { error: outcome, ms: Date.now() - started };
}

async function nothingInTheChannel(): Promise<void> {
  expect(await h.hub.store.listThreads(h.channelId, { limit: 10 })).toEqual([]);
  expect(await h.hub.store.runnersOf(h.channelId)).toEqual([]);
}

describe('runner bad input', () => {
  it('refuses an untrusted folder, naming `pilothouse trust`', async () => {
    const folder = tempDir('ph-e2e-untrusted-');
    const { error } = await refusal({ cwd: folder });
    expect(error).toMatchObject({ code: 'forbidden', message: `The folder ${folder} is not trusted; trust it first with: pilothouse trust ${folder}` });
    await nothingInTheChannel();
  });

  it('reports a missing codex binary as codex_missing with the fix', async () => {
    const { error } = await refusal({ agent: { name: 'codex', bin: '/nonexistent' } });
    expect(error).toMatchObject({ code: 'codex_missing', message: expect.stringContaining('codex not found at /nonexistent') });
    expect(error.message).toMatch(/npm install|PILOTHOUSE_CODEX_BIN/);
    await nothingInTheChannel();
  });

  it('reports a codex of the wrong version as codex_version_mismatch', async () => {
    const bin = join(tempDir('ph-e2e-codex-'), 'codex');
    writeFileSync(bin, '#!/bin/sh\necho "codex-cli 0.1.0"\n');
    chmodSync(bin, 0o755);
    const { error } = await refusal({ agent: { name: 'codex', bin } });
    expect(error).toMatchObject({ code: 'codex_version_mismatch', message: expect.stringContaining(`codex at ${bin} is 0.1.0, Pilothouse needs 0.169.0`) });
    await nothingInTheChannel();
  });

  it('refuses options an agent cannot honour before anything starts, naming the agent and the options', async () => {
    const { error } = await refusal({ agent: { name: 'gemini' }, runtime: { sandbox: 'workspace-write', effort: 'high' } });
    expect(error).toMatchObject({
      code: 'agent_option_unsupported',
      message: expect.stringMatching(/^Gemini CLI cannot take --sandbox workspace-write, --effort high from Pilothouse/) as unknown,
    });
    await nothingInTheChannel();
  });

  it('refuses --tui with an agent other than Codex', async () => {
    const { error } = await refusal({ agent: { name: 'gemini' }, tui: true });
    expect(error).toMatchObject({ code: 'bad_request', message: "--tui opens Codex's own terminal UI; it cannot be used with --agent gemini." });
    await nothingInTheChannel();
  });

  it('refuses a bad token at once as unauthorized', async () => {
    const { error, ms } = await refusal({ token: 'ph_not-a-real-token' });
    expect(error).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('refused the token') });
    expect(ms).toBeLessThan(3_000);
    await nothingInTheChannel();
  });

  it('reports an unreachable hub at once', async () => {
    const { error, ms } = await refusal({ hubUrl: 'http://127.0.0.1:1' });
    expect(error).toMatchObject({ code: 'hub_unreachable', message: expect.stringContaining('Cannot reach the hub at http://127.0.0.1:1') });
    expect(ms).toBeLessThan(3_000);
    await nothingInTheChannel();
  });

  it('refuses a channel the token cannot join as not_member', async () => {
    await h.hub.store.createChannel({ workspace: 'acme', channel: 'secret' });
    const { error, ms } = await refusal({ channel: 'acme/secret' });
    expect(error).toMatchObject({ code: 'not_member' });
    expect(error.message).toContain('alice is not a member of acme/secret');
    expect(ms).toBeLessThan(3_000);
    await nothingInTheChannel();
  });

  it('refuses --resume where no session ran before', async () => {
    const { error } = await refusal({ resume: true });
    expect(error).toMatchObject({ code: 'not_found', message: 'No earlier session to resume here; start one without --resume.' });
    await nothingInTheChannel();
  });

  it('reports a Codex that will not start (bad config.toml) with its own words, and leaves no runner behind', async () => {
    const home = tempDir('ph-e2e-codex-home-');
    const config = readFileSync(join(h.codexHome.dir, 'config.toml'), 'utf8').replace('approval_policy = "on-request"', 'approval_policy = "untrusted"');
    writeFileSync(join(home, 'config.toml'), config);
    const { error } = await refusal({ env: { ...process.env, ...h.codexHome.env, CODEX_HOME: home } });
    expect(error).toMatchObject({ code: 'codex_exited', message: expect.stringContaining('"untrusted" is no longer supported') });
    // It had registered already (the hub is checked first, being the quicker check): it left.
    expect(await h.hub.store.listThreads(h.channelId, { limit: 10 })).toEqual([]);
    expect((await h.hub.store.runnersOf(h.channelId)).map((r) => r.status)).toEqual(['offline']);
  });
});

describe('runner bad input: another agent', () => {
  let g: SessionHarness;
  beforeAll(async () => {
    g = await startSessionHarness({ agent: 'gemini', start: false });
  });
  afterAll(async () => {
    await g.close();
  });

  it('Gemini CLI with no key nor sign-in: one line saying how to sign in, no session thread, no runner left online', async () => {
    const { GEMINI_API_KEY: _key, ...env } = g.runnerOptions().env ?? {};
    const error = await startRunner(g.runnerOptions({ env })).then(
      async (runner) => {
        await runner.close();
        throw new Error('startRunner succeeded');
      },
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error).toMatchObject({
      code: 'acp_not_signed_in',
      message: 'Gemini CLI is not signed in (Gemini API key is missing or not configured): set GEMINI_API_KEY (or GOOGLE_API_KEY), or sign in once with `gemini`.',
    });
    expect(await g.hub.store.listThreads(g.channelId, { limit: 10 })).toEqual([]);
    expect((await g.hub.store.runnersOf(g.channelId)).map((r) => r.status)).toEqual(['offline']);
  });
});
