// `pilothouse demo` as a newcomer meets it: the real command as a child process (hub, scripted
// model, real Codex, real runner), its one JSON line, the one-time sign-in link opened in Chromium,
// every cue of the demo driven through the page, then Ctrl-C: every process it started is gone,
// every port it held is free, its scratch folder is removed. Waits are DOM conditions or process
// events, never sleeps.

import { createServer } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { each, ensureWebBuild, launchBrowser, openPerson, screenshot, type Person } from './support/browser.js';
import { allListeningPorts, descendantsOf, isAlive, listeningPorts, processesIn, spawnDemo, until, type DemoInfo, type DemoProcess, type Proc } from './support/demo-process.js';

let browser: Browser;
let demo: DemoProcess;
let info: DemoInfo;
let me: Person;
let readyLine: string;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const rows = (kind: string, hasText?: string | RegExp) => me.page.locator(`article.row[data-kind=${kind}]`, hasText === undefined ? {} : { hasText });

async function send(text: string): Promise<void> {
  await me.page.fill('.thread textarea', text);
  await me.page.press('.thread textarea', 'Enter');
  await rows('text', text).last().waitFor();
}

const processed = (text: string) => rows('text', text).last().locator('.badge[data-state=processed]').waitFor({ timeout: 30_000 });

/** The scratch folder, as the first progress line names it. */
function scratchOf(stderr: string): string {
  const scratch = /Starting the Pilothouse demo in (\S+)/.exec(stderr)?.[1];
  if (!scratch) throw new Error(`no scratch folder in the demo's progress:\n${stderr}`);
  return scratch;
}

function repoOf(stderr: string): string {
  const repo = /demo repository: (\S+?),/.exec(stderr)?.[1];
  if (!repo) throw new Error(`no repository in the demo's progress:\n${stderr}`);
  return repo;
}

beforeAll(async () => {
  ensureWebBuild();
  browser = await launchBrowser();
  demo = spawnDemo(['--json', '--port', '0']);
  const ready = await demo.ready;
  info = ready.info;
  readyLine = ready.line;
  me = await openPerson(browser);
  console.log(`[demo] spawn → JSON line: ${seconds(ready.at - demo.spawnedAt)}`);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  // Still running when a test failed half-way: stop it as a person would, so nothing is left behind.
  if (demo && demo.child.exitCode === null && demo.child.signalCode === null) {
    demo.child.kill('SIGINT');
    const timer = setTimeout(() => demo.child.kill('SIGKILL'), 15_000);
    await demo.exited;
    clearTimeout(timer);
  }
});

describe('pilothouse demo', () => {
  it('prints exactly one JSON line on stdout, progress with timings on stderr', () => {
    expect(Object.keys(JSON.parse(readyLine) as object)).toEqual(['url', 'signInUrl', 'token', 'channel', 'threadId']);
    expect(demo.stdout()).toBe(`${readyLine}\n`);
    expect(info).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), channel: 'demo/playground', token: expect.stringMatching(/^ph_/) });
    expect(info.signInUrl).toMatch(new RegExp(`^${info.url}/api/sign-in\\?code=[A-Za-z0-9_-]+$`));
    const steps = demo.stderr().split('\n').filter((l) => l.startsWith('  ✓ '));
    expect(steps.map((l) => l.slice(4, l.indexOf(':') === -1 ? l.indexOf(' (') : l.indexOf(':')))).toEqual([
      'hub',
      'demo user, channel and token',
      'scripted model',
      'demo repository',
      'Codex and the runner',
    ]);
    for (const step of steps) expect(step).toMatch(/\(\d+(\.\d)? m?s\)$/);
  });

  it('signs in with the one-time link, lands on the session thread with the README first; the link works once', async () => {
    const { page } = me;
    await page.goto(info.signInUrl);
    await page.waitForURL(`${info.url}/c/demo/playground/t/${info.threadId}`);
    await rows('session').waitFor();
    // The first row: the session row, carrying the demo repository's README.
    const readme = me.page.locator('article.row').first().and(rows('session', 'Pilothouse demo'));
    await readme.waitFor();
    expect(await readme.locator('.md code').allTextContents()).toEqual(expect.arrayContaining(['hello', 'run the tests', 'fix the greeting', 'search the web', 'start the dev server', 'tell me a story']));
    expect(await each(page.locator('article.row'), (row) => row.getAttribute('data-kind'))).toEqual(['session']);

    const other = await browser.newContext();
    try {
      const again = await other.request.get(info.signInUrl, { maxRedirects: 0 });
      expect(again.status()).toBe(401);
      expect(await again.text()).toContain('This sign-in link was already used');
    } finally {
      await other.close();
    }
  });

  it('hello: a streamed Markdown answer with its reasoning (and the time to the first row)', async () => {
    await send('hello');
    await rows('reasoning').first().waitFor();
    const firstRow = performance.now() - demo.spawnedAt;
    console.log(`[demo] spawn → first streamed row in the browser: ${seconds(firstRow)} (target ≤ 15 s warm)`);
    await processed('hello');
    const answer = rows('assistant', "I'm Codex").last();
    await answer.locator('[data-row-status=completed]').waitFor();
    expect(await answer.locator('.md strong').first().textContent()).toBe('Codex');
    expect(await answer.locator('.md table td code').allTextContents()).toEqual(['greet.js', 'greet(name)', 'test.js', 'server.js']);
    expect(await rows('reasoning').last().locator('summary').textContent()).toContain('The person said hello');
    expect(firstRow).toBeLessThan(30_000);
  });

  it('run the tests: waits for approval, then streams the coloured output', async () => {
    await send('run the tests');
    const prompt = me.page.locator('section.approval');
    await prompt.waitFor();
    expect(await prompt.textContent()).toContain("Run the demo's tests");
    expect(await prompt.locator('.approval-summary').textContent()).toContain('node test.js');
    await prompt.locator('button[data-choice=approve]').click();
    const command = rows('command', 'node test.js').last();
    await command.locator('.exit[data-exit="0"]').waitFor();
    expect(await command.locator('.output').textContent()).toContain('3 passing');
    expect(await command.locator('.output span[style*="color"]', { hasText: '✓' }).count()).toBe(3);
    await processed('run the tests');
  });

  it('fix the greeting: a file change with its diff, applied in the scratch repository', async () => {
    await send('fix the greeting');
    const change = rows('file_change').last();
    await change.locator('[data-row-status=completed]').waitFor();
    expect(await change.locator('tr.line.del .code').allTextContents()).toEqual(["-  return 'hello ' + name;"]);
    expect(await change.locator('tr.line.add .code').allTextContents()).toEqual(['+  return `Hello, ${name}!`;']);
    await processed('fix the greeting');
    await screenshot(me.page, 'demo');
    expect(readFileSync(join(repoOf(demo.stderr()), 'greet.js'), 'utf8')).toContain('return `Hello, ${name}!`;');
  });

  it('search the web: a web search row', async () => {
    await send('search the web');
    await rows('web_search').last().locator('code', { hasText: 'Pilothouse shared thread for coding agents' }).waitFor();
    await processed('search the web');
  });

  it('start the dev server: approved, it keeps running below the demo and listens on a port', async () => {
    await send('start the dev server');
    const prompt = me.page.locator('section.approval');
    await prompt.waitFor();
    expect(await prompt.locator('.approval-summary').textContent()).toContain('node server.js');
    await prompt.locator('button[data-choice=approve]').click();
    await processed('start the dev server');
    await until('the dev server listens', () => {
      const server = descendantsOf(demo.child.pid!).filter((p) => p.cmdline.endsWith('node server.js'));
      return server.length === 1 && listeningPorts(server.map((p) => p.pid)).length === 1;
    });
  });

  // The runner's port watcher notices the dev server's port and asks; approved, the hub serves it
  // at a preview origin of its own (http://ID.preview.localhost:PORT) through the runner's tunnel.
  it('start the dev server: the preview prompt, approved, opens the dev server in a preview', async () => {
    const forward = (phase: string) => me.page.locator(`article.row[data-kind=port_forward] section.port-forward[data-phase=${phase}]`).last();
    await forward('prompt').waitFor({ timeout: 20_000 });
    expect(await forward('prompt').textContent()).toContain('node server.js');
    await forward('prompt').locator('button[data-choice=approve]').click();
    const ready = forward('ready');
    await ready.waitFor();
    const [preview] = await Promise.all([me.context.waitForEvent('page'), ready.locator('button[data-action=open-preview]').click()]);
    await preview.locator('h1', { hasText: 'Hello, from the demo dev server!' }).waitFor();
    expect(new URL(preview.url()).hostname).toMatch(/\.preview\.localhost$/);
    await preview.close();
  });

  it('tell me a story: a long, slow answer that Interrupt stops', async () => {
    await send('tell me a story');
    const story = rows('assistant', 'Once upon a time').last();
    await story.locator('[data-row-status=streaming]').waitFor();
    await me.page.locator('.controls button.danger', { hasText: 'Interrupt' }).click();
    await rows('text', 'tell me a story').last().locator('.badge[data-state=processed]', { hasText: 'interrupted by demo' }).waitFor();
    await story.locator('[data-row-status=interrupted]').waitFor();
    expect(await story.textContent()).not.toContain('The end.');
  });

  it('Ctrl-C stops everything it started: no process left, every port free, the scratch folder removed', async () => {
    const procs: Proc[] = descendantsOf(demo.child.pid!);
    expect(procs.map((p) => p.comm)).toEqual(expect.arrayContaining(['codex']));
    expect(procs.some((p) => p.cmdline.endsWith('node server.js'))).toBe(true);
    const ports = listeningPorts([demo.child.pid!, ...procs.map((p) => p.pid)]);
    // The hub, the scripted model and the dev server.
    expect(ports).toContain(Number(new URL(info.url).port));
    expect(ports.length).toBeGreaterThanOrEqual(3);
    const scratch = scratchOf(demo.stderr());
    expect(existsSync(scratch)).toBe(true);

    demo.child.kill('SIGINT');
    expect(await demo.exited).toBe(0);
    expect(demo.stderr()).toMatch(/Stopping the demo \(Ctrl-C\)… Ctrl-C again forces it\.\nStopped in \d+(\.\d)? m?s\.\n$/);
    await until('every process the demo started is gone', () => procs.every((p) => !isAlive(p)) && processesIn(scratch).length === 0).catch((e: Error) => { throw new Error(`${e.message}: alive ${JSON.stringify(procs.filter((p) => isAlive(p)))} in scratch ${JSON.stringify(processesIn(scratch).map((pid) => { try { return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`; } catch { return pid; } }))}`); });
    const listening = allListeningPorts();
    expect(ports.filter((p) => listening.has(p))).toEqual([]);
    expect(existsSync(scratch)).toBe(false);
  });
});

describe('pilothouse demo, stopping early and failing clearly', () => {
  it('a taken --port is refused with the fix, and leaves nothing behind', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const d = spawnDemo(['--port', String(port)]);
      expect(await d.exited).toBe(1);
      expect(d.stderr()).toContain(`pilothouse: port ${port} on 127.0.0.1 is taken by another program; pick another with --port N (or --port 0 for any free port)\n`);
      expect(d.stdout()).toBe('');
      expect(existsSync(scratchOf(d.stderr()))).toBe(false);
    } finally {
      taken.close();
    }
  });

  it('Ctrl-C while it starts stops what had started, exit 0', async () => {
    const d = spawnDemo(['--port', '0']);
    await d.stderrShows('✓ hub');
    const started = descendantsOf(d.child.pid!);
    d.child.kill('SIGINT');
    expect(await d.exited).toBe(0);
    expect(d.stderr()).toContain('Stopping the demo (Ctrl-C)');
    const scratch = scratchOf(d.stderr());
    await until('every process the demo started is gone', () => started.every((p) => !isAlive(p)) && processesIn(scratch).length === 0);
    expect(existsSync(scratch)).toBe(false);
  });
});
