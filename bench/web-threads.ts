// Web UI at scale (issue 13, "long threads stay fast"): long threads seeded through the protocol as a
// runner writes them (e2e/support/long-thread.ts: post_row, a command's output by append), opened
// in Debian's chromium against a real hub. Figures: thread open in a new tab (navigation → the
// newest row in the DOM, at the frame it is drawn), in a browser profile on disk and in a private window, for 100 / 1,000 / 10,000 rows, p50 and p95; JS heap used
// after open (after a GC, over CDP); scroll jank while scrolling up through the 10,000-row thread
// (frame times by requestAnimationFrame, older pages loading as it goes); and the initial
// JavaScript (gzip) of the sign-in page and of a thread page, read from the built files the page
// fetched. The 100-row thread is the baseline the longer ones are compared with in the same run.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { startSessionHarness } from '../e2e/support/session-harness.js';
import { BROWSER_ARGS, CHROMIUM, ensureWebBuild, launchBrowser, setPasswords, signIn } from '../e2e/support/browser.js';
import { seedingRunner, seedLongThread } from '../e2e/support/long-thread.js';

const SIZES = [100, 1_000, 10_000] as const;
/** Measured opens per size, after one warm-up. */
const RUNS = 15;
/** Frames of scrolling up, and how far each frame scrolls. */
const SCROLL_FRAMES = 600;
const SCROLL_STEP = 300;
const JANK_MS = 50;
const DIST = join(import.meta.dirname, '..', 'packages', 'web', 'dist');
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round1 = (n: number) => Math.round(n * 10) / 10;

export interface ThreadOpen {
  rows: number;
  p50: number;
  p95: number;
  heapMB: number;
  domRows: number;
}

export interface WebThreads {
  /** In a browser profile on disk (a person's browser): the target figure. */
  open: ThreadOpen[];
  /** In a private window: no disk cache, so each new tab compiles the app's JavaScript again. */
  privateWindow: ThreadOpen[];
  /** open p95 and heap of 10,000 rows over 100 rows (100× the rows). */
  growth: { openP95: number; heap: number };
  /** `reached`: the row at the top of the view when the scrolling ended (how far up it got). */
  scroll: { frames: number; p50: number; p95: number; max: number; over50ms: number; reached: string };
  initialJsGzipKB: { signIn: number; thread: number };
}

/**
 * The page reports the time (ms since navigation) of the first frame that has the selector in the
 * DOM, through a binding: the bench does not poll the page while it loads.
 */
const WATCH = `(() => {
  const want = new URL(location.href).searchParams.get('bench-watch');
  if (!want) return;
  const tick = () => {
    if (document.querySelector(want)) { window.__benchShown(performance.now()); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();`;

/** Gzip bytes of the built scripts a page fetched (its resource entries), in KB. */
async function scriptsGzipKB(page: Page): Promise<number> {
  const urls = await page.evaluate<string[]>(`performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.js'))`);
  let bytes = 0;
  for (const url of new Set(urls)) bytes += gzipSync(readFileSync(join(DIST, new URL(url).pathname))).length;
  return round1(bytes / 1024);
}

async function heapMB(page: Page, context: BrowserContext): Promise<number> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.detach();
  return round1(usedSize / 1024 / 1024);
}

/** Opens the thread in a fresh tab; resolves with ms from navigation to the newest row drawn. */
async function openThread(context: BrowserContext, url: string, lastId: string): Promise<{ page: Page; ms: number }> {
  const page = await context.newPage();
  let shown!: (ms: number) => void;
  const at = new Promise<number>((resolve) => (shown = resolve));
  await page.exposeFunction('__benchShown', (ms: number) => shown(ms));
  await page.goto(`${url}?bench-watch=${encodeURIComponent(`article.row[data-message-id="${lastId}"]`)}`);
  const timeout = setTimeout(() => shown(Number.NaN), 60_000);
  const ms = await at;
  clearTimeout(timeout);
  if (Number.isNaN(ms)) throw new Error(`${url}: the newest row was not drawn within 60 s`);
  return { page, ms: round1(ms) };
}

/** Scrolls the thread up SCROLL_STEP px a frame for SCROLL_FRAMES frames; frame times by rAF. */
function scrollJank(page: Page): Promise<{ frames: number[]; reached: string }> {
  return page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('[data-testid=thread-rows]');
    const frames = [];
    let last = performance.now();
    let n = 0;
    const tick = (now) => {
      frames.push(now - last);
      last = now;
      el.scrollTop = Math.max(0, el.scrollTop - ${SCROLL_STEP});
      if (++n < ${SCROLL_FRAMES}) requestAnimationFrame(tick);
      else {
        const top = el.getBoundingClientRect().top;
        const first = [...document.querySelectorAll('article.row')].find((r) => r.getBoundingClientRect().bottom > top);
        resolve({ frames: frames.slice(1), reached: (first?.textContent.match(/row \\d{5}/) ?? ['the root'])[0] });
      }
    };
    requestAnimationFrame(tick);
  })`);
}

/** Opens each thread RUNS times (after a warm-up) in `context`; heap, DOM rows and, for the longest, scroll jank from the last open. */
async function measureOpens(context: BrowserContext, hubUrl: string, threads: readonly SeededThread[], withScroll: boolean) {
  const open: ThreadOpen[] = [];
  let threadKB = 0;
  let scroll: WebThreads['scroll'] | null = null;
  for (const t of threads) {
    const url = `${hubUrl}/c/acme/agents/t/${t.threadId}`;
    const times: number[] = [];
    let heap = 0;
    let domRows = 0;
    for (let run = 0; run <= RUNS; run++) {
      const { page, ms } = await openThread(context, url, t.lastId);
      if (run > 0) times.push(ms);
      if (run === RUNS) {
        heap = await heapMB(page, context);
        domRows = await page.locator('article.row').count();
        if (threadKB === 0) threadKB = await scriptsGzipKB(page);
        if (withScroll && t.rows === SIZES.at(-1)) {
          const { frames, reached } = await scrollJank(page);
          const sorted = [...frames].sort((a, b) => a - b);
          scroll = { frames: frames.length, p50: round1(percentile(sorted, 50)), p95: round1(percentile(sorted, 95)), max: round1(sorted.at(-1)!), over50ms: frames.filter((f) => f > JANK_MS).length, reached };
        }
      }
      await page.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    open.push({ rows: t.rows, p50: percentile(sorted, 50), p95: percentile(sorted, 95), heapMB: heap, domRows });
  }
  return { open, threadKB, scroll };
}

function printOpens(line: (s: string) => void, title: string, open: readonly ThreadOpen[]): ThreadOpen[] {
  line(`  ${title}`);
  line(`  ${'rows'.padStart(7)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'heap MB'.padStart(8)} ${'DOM rows'.padStart(9)}`);
  for (const o of open) line(`  ${String(o.rows).padStart(7)} ${String(o.p50).padStart(8)} ${String(o.p95).padStart(8)} ${String(o.heapMB).padStart(8)} ${String(o.domRows).padStart(9)}`);
  return [...open];
}

interface SeededThread {
  rows: number;
  threadId: string;
  lastId: string;
}

export async function webThreadsBench(line: (s: string) => void): Promise<WebThreads> {
  ensureWebBuild();
  const profileDir = mkdtempSync(join(tmpdir(), 'pilothouse-bench-profile-'));
  const [h, browser] = await Promise.all([startSessionHarness({ start: false }), launchBrowser()]);
  let returning: BrowserContext | null = null;
  try {
    await setPasswords(h.hub, { alice: 'pw-threads' });
    const seedStart = performance.now();
    const runner = await seedingRunner(h.hub.url, h.alice.token, 'bench-seeder');
    const threads: SeededThread[] = [];
    for (const rows of SIZES) threads.push({ rows, ...(await seedLongThread(runner, rows, `t${rows}`)) });
    runner.close();
    line(`web threads: seeded ${SIZES.join(' / ')} rows (every 25th a command with 20 KB of output) through the protocol in ${round1((performance.now() - seedStart) / 1000)} s`);

    // The page's CSP forbids eval; the bench's string probes run through CDP, and its waits need this.
    const options = { viewport: { width: 1280, height: 820 }, bypassCSP: true };
    // A person's browser: a profile on disk, as Chromium keeps one, with its HTTP and compiled-code
    // caches, where alice signed in before (the target figure). Then a private window: the same
    // browser without a disk profile, where every new tab compiles the app's JavaScript afresh.
    returning = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, args: BROWSER_ARGS, headless: true, ...options });
    const privateWindow = await browser.newContext(options);
    let signInKB = 0;
    for (const context of [returning, privateWindow]) {
      const visitor = await context.newPage();
      await visitor.goto(h.hub.url);
      await visitor.locator('input[name=name]').waitFor();
      // The sign-in page, as a new visitor fetches it.
      if (signInKB === 0) signInKB = await scriptsGzipKB(visitor);
      await signIn(visitor, 'alice', 'pw-threads');
      await visitor.locator('nav.sidebar').waitFor();
      await visitor.close();
      await context.addInitScript(WATCH);
    }

    const mine = await measureOpens(returning, h.hub.url, threads, true);
    const fresh = await measureOpens(privateWindow, h.hub.url, threads, false);
    await privateWindow.close();

    const open = printOpens(line, `thread open in a new tab (navigation -> newest row drawn), ${RUNS} runs each after a warm-up; heap after open (after GC); rows in the DOM. A browser profile as a person has one:`, mine.open);
    printOpens(line, 'the same in a private window (no disk cache: each tab compiles the JavaScript again):', fresh.open);
    const base = open[0]!;
    const top = open.at(-1)!;
    const growth = { openP95: round1(top.p95 / base.p95), heap: round1(top.heapMB / base.heapMB) };
    line(`  ${top.rows} / ${base.rows} rows (x${top.rows / base.rows} rows): open p95 x${growth.openP95}, heap x${growth.heap} (target: 10,000 rows <= 1000 ms p95, growth well under x${top.rows / base.rows})`);
    const scroll = mine.scroll!;
    line(`  scroll up through ${top.rows} rows, ${SCROLL_STEP} px a frame for ${scroll.frames} frames (older pages loading): frame p50 ${scroll.p50} ms, p95 ${scroll.p95} ms, max ${scroll.max} ms, ${scroll.over50ms} frames over ${JANK_MS} ms; reached ${scroll.reached}`);
    line(`  initial JS (gzip, the built files fetched): sign-in page ${signInKB} KB (target <= 100 KB), thread page ${mine.threadKB} KB`);
    return { open, privateWindow: fresh.open, growth, scroll, initialJsGzipKB: { signIn: signInKB, thread: mine.threadKB } };
  } finally {
    await returning?.close();
    await browser.close();
    await h.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
}
