// Another agent's session through the web UI, in Chromium with a real hub and the real agent on
// the scripted model: the session shows which agent runs it; an answer streams in; a command the
// agent asks about shows the agent's own choices as buttons, enabled for alice only; her choice
// runs the command and the prompt stays on the record as decided. Waits are DOM conditions.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { each, ensureWebBuild, launchBrowser, openPerson, screenshot, setPasswords, signIn, type Person } from './support/browser.js';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';

const PASSWORD = 'correct horse battery';

/** Each agent with what its session and prompts look like: its own choices, and the one that allows once. */
const AGENTS = [
  {
    agent: 'claude' as const,
    title: 'Claude Code',
    cmd: 'echo approved-output > out.txt && cat out.txt',
    // Allow once, an "Always allow …" per rule Claude suggests, Deny.
    choicesOk: (labels: string[]) => labels[0] === 'Allow once' && labels.at(-1) === 'Deny' && labels.length > 2 && labels.slice(1, -1).every((l) => l.startsWith('Always allow')),
    allow: 'approve',
  },
  {
    agent: 'gemini' as const,
    title: 'Gemini CLI',
    cmd: 'echo scripted-42 > ran.txt && cat ran.txt',
    choicesOk: (labels: string[]) => JSON.stringify(labels) === JSON.stringify(['Allow for this session', 'Allow', 'Reject']),
    allow: 'proceed_once',
  },
];

describe.each(AGENTS)('a $title session in the web UI', ({ agent, title, cmd, choicesOk, allow }) => {
  let h: SessionHarness;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  const rows = (p: Person, kind: string, hasText?: string) => p.page.locator(`article.row[data-kind=${kind}]`, hasText === undefined ? {} : { hasText });

  beforeAll(async () => {
    ensureWebBuild();
    [h, browser] = await Promise.all([startSessionHarness({ agent }), launchBrowser()]);
    await setPasswords(h.hub, { alice: PASSWORD, bob: PASSWORD });
    [alice, bob] = await Promise.all([openPerson(browser), openPerson(browser)]);
    for (const [p, name] of [[alice, 'alice'], [bob, 'bob']] as const) {
      await p.page.goto(h.hub.url);
      await signIn(p.page, name, PASSWORD);
      await p.page.waitForURL(`${h.hub.url}/c/acme/agents/t/${h.runner.threadId}`);
    }
  });

  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('names the agent and its version on the session and its rows; an answer streams in', async () => {
    const session = rows(alice, 'session');
    await session.waitFor();
    expect(await session.locator('.author-agent strong').textContent()).toBe(title);
    expect(await session.locator(`.avatar-agent.agent-${agent}`).count()).toBe(1);
    expect(await alice.page.locator('.presence-agent').first().textContent()).toMatch(new RegExp(`^${title} \\d+\\.\\d+\\.\\d+`));

    h.model.enqueue({ type: 'text', chunks: ['Hello ', 'from ', `${title}.`] });
    await alice.page.fill('.thread textarea', 'hello');
    await alice.page.press('.thread textarea', 'Enter');
    const answer = rows(alice, 'assistant', `Hello from ${title}.`);
    await answer.waitFor();
    await answer.locator('.badge[data-state], .chip', { hasText: 'completed' }).first().waitFor();
    expect(await answer.locator('.author-agent strong').textContent()).toBe(title);
  });

  it("shows the agent's own choices to alice only; her choice runs the command; the prompt stays decided", async () => {
    h.model.enqueue({ type: 'exec', cmd }, { type: 'text', chunks: ['ran it'] });
    await alice.page.fill('.thread textarea', 'run it');
    await alice.page.press('.thread textarea', 'Enter');
    const prompt = alice.page.locator('section.approval');
    await prompt.waitFor();
    expect(await prompt.locator('.approval-summary').textContent()).toContain(cmd);
    const labels = await prompt.locator('button').allTextContents();
    expect(choicesOk(labels), labels.join(' | ')).toBe(true);
    const bobPrompt = bob.page.locator('section.approval');
    await bobPrompt.waitFor();
    expect(await each(bobPrompt.locator('button'), (b) => b.isDisabled())).toEqual(labels.map(() => true));
    expect(await bobPrompt.locator('.approval-who').textContent()).toBe('Waiting for alice to decide.');
    await screenshot(alice.page, `agent-approval-${agent}`);

    await prompt.locator(`button[data-choice=${allow}]`).click();
    await rows(alice, 'assistant', 'ran it').waitFor();
    await prompt.waitFor({ state: 'detached' });
    // The decision is kept where the prompt was: who chose what.
    const decided = alice.page.locator('.decided', { hasText: 'alice' }).first();
    await decided.waitFor();
    expect(await decided.textContent()).toMatch(/Approved by alice/);
    // The command row no longer waits: it ran.
    await rows(alice, 'command').last().locator('text=awaiting approval').waitFor({ state: 'detached' });
  });
});
