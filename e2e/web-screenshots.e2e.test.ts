// Every page at phone (390×844), tablet (768×1024) and desktop (1440×900) size, light and dark,
// against one real hub, runner, Codex and scripted model: sign-in, a channel, a thread while the
// agent streams, an approval prompt, and an admin's audit log with refused attempts. Each must fit its width (no horizontal scrolling) and
// throw nothing. With PILOTHOUSE_SCREENSHOTS set, each is saved as
// docs/screenshots/<page>-<device>-<theme>.png (the committed ones the README shows).

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageGlobals } from './support/page-globals.js';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { hasState } from './support/rows.js';
import { seedAudit } from './support/audit.js';
import { addAdmin, DEVICES, ensureWebBuild, launchBrowser, openPerson, screenshot, setPasswords, signIn, type Person } from './support/browser.js';

const PASSWORD = 'correct horse battery';
const THEMES = ['light', 'dark'] as const;

interface View extends Person {
  name: string;
}

let h: SessionHarness;
let browser: Browser;
const views: View[] = [];
let threadUrl: string;

beforeAll(async () => {
  ensureWebBuild();
  [h, browser] = await Promise.all([startSessionHarness(), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD });
  threadUrl = `${h.hub.url}/c/acme/agents/t/${h.runner.threadId}`;
  for (const [device, options] of Object.entries(DEVICES))
    for (const colorScheme of THEMES) {
      const person = await openPerson(browser, { ...options, colorScheme, reducedMotion: 'reduce' });
      views.push({ ...person, name: `${device}-${colorScheme}` });
    }
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** In every view: waits for `ready`, checks the page fits its width, saves the screenshot. */
async function shoot(page: string, ready: (v: View) => Promise<unknown>): Promise<void> {
  await Promise.all(
    views.map(async (v) => {
      await ready(v);
      const overflow = await v.page.evaluate(() => {
        const g = globalThis as unknown as PageGlobals;
        return (g.document.documentElement.scrollWidth as number) - (g.window.innerWidth as number);
      });
      expect(`${v.name} ${page} overflows by ${overflow}px`).toBe(`${v.name} ${page} overflows by 0px`);
      await screenshot(v.page, `${page}-${v.name}`);
    }),
  );
}

describe('screenshots', () => {
  it('sign-in and channel', async () => {
    await shoot('sign-in', async (v) => {
      await v.page.goto(h.hub.url);
      await v.page.locator('input[name=name]').waitFor();
    });
    await shoot('channel', async (v) => {
      await signIn(v.page, 'alice', PASSWORD);
      await v.page.locator('nav.sidebar').waitFor({ state: 'attached' });
      await v.page.goto(`${h.hub.url}/c/acme/agents`);
      await v.page.locator('.runners .presence[data-runner-status=idle]').waitFor({ state: 'attached' });
    });
  });

  it('a thread while the agent streams', async () => {
    const answer = ['The **hub** serves the page and the socket; the **runner** drives Codex on your machine.\n\n', '```sh\n', 'npm run build\n', 'npm run hub\n', '```\n\n', '- `packages/hub`: HTTP, socket, store\n', '- `packages/runner`: the session\n'];
    h.model.enqueue({ type: 'reasoning', summary: ['Reading the layout of the repository.'], text: answer }, { type: 'exec', cmd: "printf 'hub\\nrunner\\nweb\\n'", login: false }, { type: 'hang', chunks: ['All three packages build. ', 'Now checking the web UI for '] });
    const first = await h.say(h.alice, 'Explain the layout of this repository');
    await h.waitFor(hasState(first, 'processed'), 'the first answer');
    const second = await h.say(h.alice, 'List the packages, then check that they build');
    await h.waitFor((t) => t.some((m) => m.kind === 'assistant' && m.status === 'streaming' && m.body.includes('checking')), 'the streaming answer');
    await shoot('thread-streaming', async (v) => {
      await v.page.goto(threadUrl);
      await v.page.locator('article.row[data-kind=assistant] [data-row-status=streaming]').waitFor();
    });
    await h.control(h.alice, { type: 'interrupt' });
    await h.waitFor(hasState(second, 'processed'), 'the interrupted turn');
  });

  it('an approval prompt', async () => {
    h.model.enqueue({ type: 'exec', cmd: 'npm install --save-dev vitest', escalated: 'Needs the network to install a package', login: false }, { type: 'text', chunks: ['Installed.'] });
    await h.say(h.alice, 'Add vitest to the project');
    await shoot('approval', async (v) => {
      const prompt = v.page.locator('section.approval');
      await prompt.waitFor();
      await prompt.scrollIntoViewIfNeeded();
    });
    expect(views.flatMap((v) => v.errors)).toEqual([]);
  });

  it('the audit log, as an admin', async () => {
    await addAdmin(h.hub, 'carol', PASSWORD, h.channelId);
    await seedAudit(h);
    await shoot('audit', async (v) => {
      await v.context.clearCookies();
      await v.page.goto(h.hub.url);
      await signIn(v.page, 'carol', PASSWORD);
      await v.page.locator('nav.sidebar').waitFor({ state: 'attached' });
      await v.page.goto(`${h.hub.url}/audit`);
      await v.page.locator('.audit-table tr[data-action=control_refused] .audit-refused').waitFor();
    });
    expect(views.flatMap((v) => v.errors)).toEqual([]);
  });
});
