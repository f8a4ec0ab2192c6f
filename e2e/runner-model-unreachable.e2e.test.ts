// A model nobody answers for (issue 17): the real Codex, configured as a user would be (its own
// retry settings left at Codex's defaults) but with the provider's base_url on a closed port,
// retries a refused connection without end ("Reconnecting... waiting for network"). The runner
// gives the turn up: the message fails with Codex's reason and the URL within 30 s of being
// posted. Claude Code, pointed at a closed port, fails by itself.

import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';

/** The whole budget from posting the message to its failure in the thread: the waits' limit. */
const DEADLINE_MS = 30_000;

let h: SessionHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

/** A base URL on 127.0.0.1 whose port was free a moment ago: connections are refused. */
async function closedUrl(path: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

/** Posts `hello` and waits (at most DEADLINE_MS) for its message to fail; returns the reason and how long it took. */
async function failsWithin(harness: SessionHarness): Promise<{ id: string; reason: string; ms: number }> {
  const posted = Date.now();
  const id = await harness.say(harness.alice, 'hello');
  const thread = await harness.waitFor((t) => t.some((m) => m.id === id && m.state?.state === 'failed'), 'the message to fail', DEADLINE_MS - (Date.now() - posted));
  const ms = Date.now() - posted;
  return { id, reason: thread.find((m) => m.id === id)!.state!.reason ?? '', ms };
}

it('Codex with its provider on a closed port: the turn fails with the agent\'s reason within 30 s', async () => {
  h = await startSessionHarness({ start: false });
  const url = await closedUrl('/v1');
  // A user's config: no request_max_retries / stream_max_retries / stream_idle_timeout_ms, so Codex's defaults hold.
  writeFileSync(
    join(h.codexHome.dir, 'config.toml'),
    `model = "gpt-5.5"
model_provider = "mine"
approval_policy = "on-request"
sandbox_mode = "workspace-write"
check_for_update_on_startup = false

[model_providers.mine]
name = "A model server that is not running"
base_url = "${url}"
wire_api = "responses"
env_key = "FAKE_OPENAI_KEY"

[analytics]
enabled = false
`,
  );
  await h.startRunner();
  const { id, reason, ms } = await failsWithin(h);
  // Before failing, the message said what was going on: reconnecting, nothing answering.
  expect(h.states(id).some((s) => s.trouble?.kind === 'reconnecting' && s.trouble.http_status === null)).toBe(true);
  expect(reason).toBe(`Codex cannot reach its model at ${url}: Connection failed: error sending request (no answer for 15 s; the turn was stopped)`);
  console.log(`codex: failed ${ms} ms after the message was posted`);
  // The session goes on: the next message starts a turn of its own (and fails the same way).
  const next = await h.say(h.alice, 'are you there?');
  await h.waitFor((t) => t.some((m) => m.id === next && m.state?.state === 'failed'), 'the next message to fail', DEADLINE_MS);
});

// Claude Code 2.1.332 gives up on a refused connection by itself, at once: its own reason is the
// message's. (Gemini CLI 0.61.0 retries silently over ACP, reporting nothing the runner could act
// on: not covered yet.)
it('Claude Code with ANTHROPIC_BASE_URL on a closed port: the turn fails with its reason within 30 s', async () => {
  h = await startSessionHarness({ agent: 'claude', start: false });
  const url = await closedUrl('');
  await h.startRunner({ env: { ...h.runnerOptions().env, ANTHROPIC_BASE_URL: url } });
  const { reason, ms } = await failsWithin(h);
  expect(reason).toMatch(/Connection refused.*ECONNREFUSED/);
  console.log(`claude: failed ${ms} ms after the message was posted: ${reason}`);
});

