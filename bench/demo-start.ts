// `pilothouse demo` from a newcomer's seat (issue 7): the real command spawned, its JSON line, the
// sign-in link opened in Chromium, `hello` typed, and the first streamed row on the page; then
// Ctrl-C and the time to a clean exit. Target: spawn → first row ≤ 15 s warm.

import { performance } from 'node:perf_hooks';
import { ensureWebBuild, launchBrowser, openPerson } from '../e2e/support/browser.js';
import { spawnDemo } from '../e2e/support/demo-process.js';

export interface DemoStart {
  /** Spawn → the JSON line (everything started). */
  readyMs: number;
  /** Spawn → the first streamed row of the answer to `hello` visible in the browser. */
  firstRowMs: number;
  /** SIGINT → exit. */
  stopMs: number;
}

export async function demoStartBench(line: (s: string) => void): Promise<DemoStart> {
  ensureWebBuild();
  const browser = await launchBrowser();
  const demo = spawnDemo(['--json', '--port', '0']);
  try {
    const { info, at } = await demo.ready;
    const { page } = await openPerson(browser);
    await page.goto(info.signInUrl);
    await page.locator('article.row[data-kind=session]').waitFor();
    await page.fill('.thread textarea', 'hello');
    await page.press('.thread textarea', 'Enter');
    await page.locator('article.row[data-kind=reasoning]').waitFor();
    const firstRow = performance.now();
    const stopping = performance.now();
    demo.child.kill('SIGINT');
    const code = await demo.exited;
    if (code !== 0) throw new Error(`pilothouse demo exited ${code} after Ctrl-C:\n${demo.stderr()}`);
    const result = { readyMs: Math.round(at - demo.spawnedAt), firstRowMs: Math.round(firstRow - demo.spawnedAt), stopMs: Math.round(performance.now() - stopping) };
    line(`demo: spawn → ready ${result.readyMs} ms, → first streamed row in the browser ${result.firstRowMs} ms (target ≤ 15000); Ctrl-C → exit ${result.stopMs} ms`);
    return result;
  } finally {
    await browser.close();
    // Failed half-way: stop it the ordinary way, so that nothing it started is left behind.
    if (demo.child.exitCode === null && demo.child.signalCode === null) {
      demo.child.kill('SIGINT');
      await demo.exited;
    }
  }
}
