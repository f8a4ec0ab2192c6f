// Web UI latency (issue 5): a streamed delta from the runner's append to the page's DOM, 500
// appends 10 ms apart into one assistant row that a signed-in Chromium page watches. The runner's
// own flush interval (--stream-flush-ms, 150 ms by default) comes on top: the target is
// p99 <= flush interval + 100 ms. Real hub, real phoenix client, Debian's chromium.

import { startSessionHarness } from '../e2e/support/session-harness.js';
import { ensureWebBuild, launchBrowser, openPerson, setPasswords, signIn } from '../e2e/support/browser.js';
import { connect, join as joinChannel, push } from '@pilothouse/hub/testing';

const DELTAS = 500;
const SPACING_MS = 10;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

export interface WebLatency {
  deltas: number;
  spacingMs: number;
  p50: number;
  p99: number;
  max: number;
}

export async function webLatencyBench(line: (s: string) => void): Promise<WebLatency> {
  ensureWebBuild();
  const [h, browser] = await Promise.all([startSessionHarness({ start: false }), launchBrowser()]);
  try {
    await setPasswords(h.hub, { alice: 'pw-latency' });
    const alice = await openPerson(browser);
    const socket = connect(h.hub.url, h.alice.token);
    const channel = socket.channel('channel:acme/agents', {});
    await joinChannel(channel);
    await push(channel, 'runner_register', { runner_id: 'latency-runner', instance_id: 'l-1', name: 'latency', cwd: '/bench', agent: { name: 'codex', version: '0' }, capabilities: [] });
    const root = (await push(channel, 'post_row', { client_id: 'lat-root', kind: 'session', body: 'latency' })) as { thread_id: string };
    await push(channel, 'post_row', { client_id: 'lat-row', thread_id: root.thread_id, item_key: 'lat:1', kind: 'assistant', body: '' });

    const { page } = alice;
    await page.goto(`${h.hub.url}/c/acme/agents/t/${root.thread_id}`);
    await signIn(page, 'alice', 'pw-latency');
    await page.locator('article.row[data-kind=assistant]').waitFor();
    // The page notes when each delta's text first shows: the row's text length, at every DOM change.
    await page.evaluate(() => {
      interface Node {
        textContent: string | null;
      }
      const g = globalThis as unknown as {
        seen: [number, number][];
        document: { querySelector(s: string): Node | null };
        MutationObserver: new (cb: () => void) => { observe(n: Node, o: object): void };
      };
      g.seen = [];
      const row = g.document.querySelector('article.row[data-kind=assistant] .row-body')!;
      new g.MutationObserver(() => g.seen.push([Date.now(), row.textContent?.length ?? 0])).observe(row, { subtree: true, childList: true, characterData: true });
    });

    const sent: number[] = [];
    let offset = 0;
    for (let i = 0; i < DELTAS; i++) {
      const text = `w${i} `;
      const at = Date.now();
      await push(channel, 'append', { item_key: 'lat:1', offset, text });
      offset += text.length;
      sent.push(at);
      // Pace the deltas like a stream: the next one leaves SPACING_MS after this one did.
      await new Promise((r) => setTimeout(r, Math.max(0, at + SPACING_MS - Date.now())));
    }
    await page.locator('article.row[data-kind=assistant]', { hasText: `w${DELTAS - 1} ` }).waitFor();
    const seen = await page.evaluate(() => (globalThis as unknown as { seen: [number, number][] }).seen);

    // Delta i is visible once the text is as long as it was after append i.
    const lengths: number[] = [];
    let length = 0;
    for (let i = 0; i < DELTAS; i++) lengths.push((length += `w${i} `.length));
    const latencies = lengths.map((len, i) => {
      const shown = seen.find(([, l]) => l >= len - 1);
      return shown ? shown[0] - sent[i]! : Infinity;
    });
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    socket.disconnect();
    const figures = { deltas: DELTAS, spacingMs: SPACING_MS, p50, p99, max: sorted.at(-1)! };
    line(`web UI: append -> DOM over ${DELTAS} deltas, ${SPACING_MS} ms apart: p50 ${p50} ms, p99 ${p99} ms, max ${figures.max} ms (target p99 <= flush 150 + 100 ms)`);
    return figures;
  } finally {
    await browser.close();
    await h.close();
  }
}
