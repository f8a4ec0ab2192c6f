// Accessibility and keyboard, in Debian's chromium against a real hub, runner, Codex and the
// scripted model: axe-core finds no serious or critical violation on the sign-in, channel and
// thread pages (with an approval prompt open) and the audit log (an admin's, with refused and
// coalesced rows) in light and dark (injected past the page's CSP); "?" lists the shortcuts in a
// dialog that Esc closes; keyboard focus is visible.

import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageGlobals } from './support/page-globals.js';
import { startSessionHarness, type SessionHarness } from './support/session-harness.js';
import { seedAudit } from './support/audit.js';
import { addAdmin, ensureWebBuild, launchBrowser, openPerson, setPasswords, signIn, type Person } from './support/browser.js';

const PASSWORD = 'correct horse battery';
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let h: SessionHarness;
let browser: Browser;
const people: Record<'light' | 'dark', Person> = {} as Record<'light' | 'dark', Person>;

beforeAll(async () => {
  ensureWebBuild();
  [h, browser] = await Promise.all([startSessionHarness(), launchBrowser()]);
  await setPasswords(h.hub, { alice: PASSWORD });
  for (const colorScheme of ['light', 'dark'] as const) people[colorScheme] = await openPerson(browser, { viewport: { width: 1280, height: 820 }, colorScheme, reducedMotion: 'reduce', bypassCSP: true });
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** axe-core's serious and critical violations on the page, as "rule: target" lines. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const { rulesRun, found } = await page.evaluate(async () => {
    const { axe } = globalThis as unknown as PageGlobals;
    const result = (await axe.run({ resultTypes: ['violations'] })) as { passes: unknown[]; violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
    return {
      rulesRun: result.passes.length + result.violations.length,
      found: result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`)),
    };
  });
  // axe really ran its rules over the page (colour contrast, names, landmarks…).
  expect(rulesRun).toBeGreaterThan(10);
  return found;
}

describe('accessibility (axe-core)', () => {
  it('finds nothing serious on sign-in, channel and thread, light and dark', async () => {
    h.model.enqueue({ type: 'exec', cmd: 'npm install --save-dev vitest', escalated: 'Needs the network to install a package', login: false }, { type: 'text', chunks: ['Installed.'] });
    await h.say(h.alice, 'Add vitest to the project');
    const found: Record<string, string[]> = {};
    for (const [theme, { page }] of Object.entries(people)) {
      await page.goto(h.hub.url);
      await page.locator('input[name=name]').waitFor();
      found[`sign-in ${theme}`] = await violations(page);
      await signIn(page, 'alice', PASSWORD);
      await page.locator('nav.sidebar').waitFor();
      await page.goto(`${h.hub.url}/c/acme/agents`);
      await page.locator('.runners .presence').waitFor();
      found[`channel ${theme}`] = await violations(page);
      await page.goto(`${h.hub.url}/c/acme/agents/t/${h.runner.threadId}`);
      await page.locator('section.approval').waitFor();
      found[`thread ${theme}`] = await violations(page);
    }
    expect(found).toEqual({ 'sign-in light': [], 'channel light': [], 'thread light': [], 'sign-in dark': [], 'channel dark': [], 'thread dark': [] });
  });
});

describe('keyboard', () => {
  it('"?" opens the shortcut list, Esc closes it; typing "?" in the message box types it', async () => {
    const { page } = people.light;
    await page.goto(`${h.hub.url}/c/acme/agents`);
    await page.locator('.channel').waitFor();
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await page.locator('body').press('?');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('Shift + Enter');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await page.locator('.channel textarea').fill('why?');
    await page.locator('.channel textarea').press('?');
    expect(await page.locator('.channel textarea').inputValue()).toBe('why??');
    expect(await dialog.isVisible()).toBe(false);
    await page.locator('.channel textarea').fill('');
  });

  it('shows where the keyboard focus is', async () => {
    const { page } = people.dark;
    await page.goto(`${h.hub.url}/c/acme/agents`);
    await page.locator('.channel').waitFor();
    await page.locator('body').click({ position: { x: 600, y: 400 } });
    const outlines: string[] = [];
    for (let i = 0; i < 6; i++) {
      await page.keyboard.press('Tab');
      outlines.push(
        await page.evaluate(() => {
          const g = globalThis as unknown as PageGlobals;
          const el = g.document.activeElement;
          const style = g.getComputedStyle(el);
          return `${el.tagName.toLowerCase()} ${style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 ? 'ring' : 'NO RING'}`;
        }),
      );
    }
    // Past the last control the focus leaves the page (body) before it comes round again.
    const controls = outlines.filter((o) => !o.startsWith('body '));
    expect(controls.length).toBeGreaterThanOrEqual(4);
    expect(controls.filter((o) => o.endsWith('NO RING'))).toEqual([]);
  });
});

describe('accessibility of the audit log (axe-core)', () => {
  it('finds nothing serious on an admin’s audit log with refused and coalesced rows, light and dark', async () => {
    await addAdmin(h.hub, 'carol', PASSWORD, h.channelId);
    await seedAudit(h);
    const found: Record<string, string[]> = {};
    for (const [theme, { page, context }] of Object.entries(people)) {
      await context.clearCookies();
      await page.goto(h.hub.url);
      await signIn(page, 'carol', PASSWORD);
      await page.locator('nav.sidebar').waitFor();
      await page.goto(`${h.hub.url}/audit`);
      await page.locator('.audit-table tr[data-action=control_refused] .audit-refused').waitFor();
      await page.locator('.audit-table .audit-repeat').waitFor();
      found[`audit ${theme}`] = await violations(page);
    }
    expect(found).toEqual({ 'audit light': [], 'audit dark': [] });
  });
});
