// A model nobody answers for (issue 17): the real Codex, configured as a user would be (its own
// retry settings left at Codex's defaults) but with the provider's base_url on a closed port,
// retries a refused connection without end ("Reconnecting... waiting for network"). The runner
// gives the turn up: the message fails with Codex's reason and the URL within 30 s of being
// posted. Claude Code, pointed at a closed port, fails by itself. Gemini CLI retries for minutes
// without a word over ACP: the runner asks the URL itself once the turn is quiet, and gives the
// turn up the same way. Each session takes a next message afterwards. The three run at once, each
// with its own hub and agent: the waits are the agents' and the runner's clocks, not CPU.

import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { expect, it, type TestContext } from 'vitest';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';

/** The whole budget from posting the message to its failure in the thread: the waits' limit. */
const DEADLINE_MS = 30_000;
/** A test's own limit: two messages' budgets, and the agent's start before them. */
const TEST_MS = 2 * DEADLINE_MS + 30_000;

/** A harness of this test's own, closed when the test ends. */
async function harness(onTestFinished: TestContext['onTestFinished'], opts: Parameters<typeof startSessionHarness>[0]): Promise<SessionHarness> {
  const h = await startSessionHarness(opts);
  onTestFinished(() => h.close());
  return h;
}

/** A base URL on 127.0.0.1 whose port was free a moment ago: connections are refused. */
async function closedUrl(path: string): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}${path}`;
}

/** The next message of the same session fails the same way, within the same bound: the session goes on. */
async function nextFailsToo(harness: SessionHarness): Promise<string> {
  const posted = Date.now();
  const next = await harness.say(harness.alice, 'are you there?');
  const thread = await harness.waitFor((t) => t.some((m) => m.id === next && m.state?.state === 'failed'), 'the next message to fail', DEADLINE_MS - (Date.now() - posted));
  console.log(`${harness.runner.agent.name}: the next message failed ${Date.now() - posted} ms after it was posted`);
  return thread.find((m) => m.id === next)!.state!.reason ?? '';
}

/** Posts `hello` and waits (at most DEADLINE_MS) for its message to fail; returns the reason and how long it took. */
async function failsWithin(harness: SessionHarness): Promise<{ id: string; reason: string; ms: number }> {
  const posted = Date.now();
  const id = await harness.say(harness.alice, 'hello');
  const thread = await harness.waitFor((t) => t.some((m) => m.id === id && m.state?.state === 'failed'), 'the message to fail', DEADLINE_MS - (Date.now() - posted));
  const ms = Date.now() - posted;
  return { id, reason: thread.find((m) => m.id === id)!.state!.reason ?? '', ms };
}

it.concurrent('Codex with its provider on a closed port: the turn fails with the agent\'s reason within 30 s', async ({ onTestFinished }) => {
  const h = await harness(onTestFinished, { start: false });
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
  expect(await nextFailsToo(h)).toBe(reason);
}, TEST_MS);

// Claude Code 2.1.332 gives up on a refused connection by itself, at once: its own reason is the
// message's.
it.concurrent('Claude Code with ANTHROPIC_BASE_URL on a closed port: the turn fails with its reason within 30 s', async ({ onTestFinished }) => {
  const h = await harness(onTestFinished, { agent: 'claude', start: false });
  const url = await closedUrl('');
  await h.startRunner({ env: { ...h.runnerOptions().env, ANTHROPIC_BASE_URL: url } });
  const { reason, ms } = await failsWithin(h);
  expect(reason).toMatch(/Connection refused.*ECONNREFUSED/);
  console.log(`claude: failed ${ms} ms after the message was posted: ${reason}`);
  expect(await nextFailsToo(h)).toMatch(/Connection refused.*ECONNREFUSED/);
}, TEST_MS);

// Gemini CLI 0.61.0 over ACP retries a refused connection ten times, 5 s doubling to 30 s apart,
// and says nothing meanwhile (no session/update; its stderr is held back until it exits). The
// runner asks the URL itself after 3 s of quiet: refused, the message shows it at once, and 15 s
// later the turn is cancelled and fails with that reason.
it.concurrent('Gemini CLI with GOOGLE_GEMINI_BASE_URL on a closed port: the runner asks the URL, and the turn fails with the reason within 30 s', async ({ onTestFinished }) => {
  const h = await harness(onTestFinished, { agent: 'gemini', start: false });
  const url = await closedUrl('');
  await h.startRunner({ env: { ...h.runnerOptions().env, GOOGLE_GEMINI_BASE_URL: url } });
  const { id, reason, ms } = await failsWithin(h);
  const { port } = new URL(url);
  expect(h.states(id).some((s) => s.trouble?.kind === 'reconnecting' && s.trouble.http_status === null && s.trouble.message === `connect ECONNREFUSED 127.0.0.1:${port}`)).toBe(true);
  expect(reason).toBe(`Gemini CLI cannot reach its model at ${url}: connect ECONNREFUSED 127.0.0.1:${port} (no answer for 15 s; the turn was stopped)`);
  console.log(`gemini: failed ${ms} ms after the message was posted`);
  expect(await nextFailsToo(h)).toBe(reason);
}, TEST_MS);

