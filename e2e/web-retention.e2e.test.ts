// Rows whose output the hub's retention emptied (issue 17), in Chromium against a real hub run with
// a 30-day retention: a session thread written 40 days ago (a command with output, reasoning, a
// diff, a web search) and one row from today. After the hub prunes, each old output row shows a
// quiet note, "… pruned after 30 days", where its output was (no empty output block, no broken
// diff); the command line, its exit code and the changed paths stay, so do the instruction and the
// answer, and today's command shows its output. At phone and desktop size, light and dark, nothing
// overflows and nothing throws. With PILOTHOUSE_SCREENSHOTS=1, each view goes to docs/screenshots/retention-*.png.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type RunningHub, type Store } from '@pilothouse/hub';
import { seedStore } from '@pilothouse/hub/testing';
import type { PageGlobals } from './support/page-globals.js';
import { DEVICES, ensureWebBuild, launchBrowser, openPerson, screenshot, setPasswords, signIn, WEB_ROOT, type Person } from './support/browser.js';

const PASSWORD = 'correct horse battery';
const DAY = 86_400_000;

let hub: RunningHub;
let dataDir: string;
let browser: Browser;
let threadId: string;
const ids: Record<string, string> = {};
const views: (Person & { name: string })[] = [];

/** A session thread as a runner writes it; rows named in `old` are backdated 40 days. */
async function writeThread(store: Store, channelId: string, userId: string): Promise<void> {
  const human = { userId, name: 'alice', runnerId: null };
  const runner = { userId, name: 'alice', runnerId: 'laptop' };
  const root = await store.postMessage(channelId, runner, { client_id: 'root', body: 'Session in /work/app', kind: 'session', meta: { agent: 'codex', cwd: '/work/app' } });
  ids.root = root.message_id;
  threadId = root.thread_id;
  ids.ask = (await store.postMessage(channelId, human, { client_id: 'ask', body: 'Run the tests and fix what fails.', kind: 'text', thread_id: threadId })).message_id;
  const row = async (name: string, kind: 'command' | 'reasoning' | 'file_change' | 'web_search' | 'assistant', body: string, meta?: Record<string, unknown>) => {
    ids[name] = (await store.postMessage(channelId, runner, { client_id: name, item_key: name, kind, body, thread_id: threadId, ...(meta ? { meta } : {}) })).message_id;
  };
  await row('think', 'reasoning', 'The failing test compares dates in the local zone; UTC would fix it.');
  await store.updateRow(channelId, runner, { item_key: 'think', status: 'completed' });
  await row('search', 'web_search', 'vitest fake timers timezone\n');
  await store.updateRow(channelId, runner, { item_key: 'search', status: 'completed' });
  await row('cmd', 'command', '> app@1.0.0 test\n> vitest run\n\n ✓ src/date.test.ts (4 tests) 12ms\n ✗ src/zone.test.ts (1 test) 3ms\n', { command: 'npm test', cwd: '/work/app' });
  await store.updateRow(channelId, runner, { item_key: 'cmd', meta: { command: 'npm test', cwd: '/work/app', exit_code: 1, duration_ms: 2140 }, status: 'completed' });
  await row('diff', 'file_change', '', { changes: [{ path: 'src/zone.ts', kind: 'update' }] });
  await store.updateRow(channelId, runner, { item_key: 'diff', body: "--- a/src/zone.ts\n+++ b/src/zone.ts\n@@ -1,3 +1,3 @@\n export function day(d: Date) {\n-  return d.getDate();\n+  return d.getUTCDate();\n }\n", status: 'completed' });
  await row('answer', 'assistant', 'The zone test failed on local dates; it now compares in **UTC** and passes.');
  await store.updateRow(channelId, runner, { item_key: 'answer', status: 'completed' });
  await store.db.updateTable('messages').set({ created_at: new Date(Date.now() - 40 * DAY).toISOString() }).execute();
  await row('fresh', 'command', ' ✓ src/zone.test.ts (1 test) 2ms\n', { command: 'npm test -- zone' });
  await store.updateRow(channelId, runner, { item_key: 'fresh', meta: { command: 'npm test -- zone', exit_code: 0, duration_ms: 830 }, status: 'completed' });
}

beforeAll(async () => {
  ensureWebBuild();
  dataDir = mkdtempSync(pathJoin(tmpdir(), 'ph-e2e-retention-'));
  [hub, browser] = await Promise.all([
    startHub({
      host: '127.0.0.1',
      port: 0,
      store: { kind: 'sqlite', dataDir },
      logger: pino({ level: 'silent' }),
      webRoot: WEB_ROOT,
      notifications: { push: false },
      retention: { eventPayloadsDays: 30 },
    }),
    launchBrowser(),
  ]);
  const { users } = await seedStore(hub.store, ['alice', 'bob']);
  await setPasswords(hub, { alice: PASSWORD });
  const channel = await hub.store.channelByRef({ workspace: 'acme', channel: 'agents' });
  await writeThread(hub.store, channel!.id, users.alice!);
  // The hourly run is far off: prune now, as that run would.
  expect(await hub.retention!.run()).toBe(4);
  for (const device of ['phone', 'desktop'] as const)
    for (const colorScheme of ['light', 'dark'] as const) {
      const person = await openPerson(browser, { ...DEVICES[device], colorScheme, reducedMotion: 'reduce' });
      views.push({ ...person, name: `retention-${device}-${colorScheme}` });
    }
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const row = (page: Page, name: string) => page.locator(`article.row[data-message-id="${ids[name]!}"]`);

describe('rows whose output was pruned', () => {
  it('show a quiet note where the output was, keep the rest of the row, and leave words and new rows whole', async () => {
    await Promise.all(
      views.map(async ({ page, errors, name }) => {
        await page.goto(hub.url);
        await signIn(page, 'alice', PASSWORD);
        await page.locator('nav.sidebar').waitFor({ state: 'attached' });
        await page.goto(`${hub.url}/c/acme/agents/t/${threadId}`);
        await row(page, 'fresh').locator('.cmd-output').waitFor();

        const notes = Object.fromEntries(
          await Promise.all(['cmd', 'think', 'diff', 'search'].map(async (n) => [n, await row(page, n).locator('.pruned-note').allTextContents()] as const)),
        );
        expect(notes).toEqual({
          cmd: ['Output pruned after 30 days (99 characters)'],
          think: ['Reasoning pruned after 30 days (68 characters)'],
          diff: ['Diff pruned after 30 days (136 characters)'],
          search: ['Queries pruned after 30 days (28 characters)'],
        });
        // What the output was about stays: the command, its exit code and folder; the changed path.
        const cmd = row(page, 'cmd');
        expect(await cmd.locator('.cmd').textContent()).toBe('$ npm test');
        expect(await cmd.locator('.exit').textContent()).toBe('exit 1');
        expect(await cmd.locator('.cmd-output').count()).toBe(0);
        expect(await row(page, 'diff').locator('.changes li').allTextContents()).toEqual(['update src/zone.ts']);
        expect(await row(page, 'diff').locator('.diff, .output').count()).toBe(0);
        expect(await row(page, 'think').locator('details').count()).toBe(0);
        expect(await row(page, 'search').locator('.search').textContent()).toBe('Searched the webQueries pruned after 30 days (28 characters)');
        // Words are never pruned; today's output is all there.
        expect(await row(page, 'ask').textContent()).toContain('Run the tests and fix what fails.');
        expect(await row(page, 'answer').locator('.row-body strong').textContent()).toBe('UTC');
        expect(await row(page, 'fresh').locator('.cmd-output').textContent()).toContain('✓ src/zone.test.ts');
        expect(await page.locator('.pruned-note').count()).toBe(4);

        const overflow = await page.evaluate(() => {
          const g = globalThis as unknown as PageGlobals;
          return (g.document.documentElement.scrollWidth as number) - (g.window.innerWidth as number);
        });
        expect(`${name} overflows by ${overflow}px`).toBe(`${name} overflows by 0px`);
        expect(errors).toEqual([]);
        await screenshot(page, name);
      }),
    );
  });
});
