// A thread's rows are a virtual list (packages/web/src/ui/ThreadRows.tsx): only the rows near the
// view are in the DOM. These helpers scroll it as a reader would, waiting on frames and DOM
// conditions (never on time): to the top until the whole history is loaded, and through it
// reading every row id in order.

import type { Page } from 'playwright-core';

interface Scroller {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
  querySelectorAll(s: string): Iterable<{ getAttribute(name: string): string | null }>;
}
interface Doc {
  querySelector(s: string): unknown;
}

/** Scrolls the thread to its top again and again, each time loading the next older page, until its start shows. */
export async function scrollToThreadStart(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(
    () => {
      const g = globalThis as unknown as { document: Doc };
      const el = g.document.querySelector('[data-testid=thread-rows]') as Scroller | null;
      if (el) el.scrollTop = 0;
      return g.document.querySelector('[data-history=start]') !== null;
    },
    undefined,
    { polling: 50, timeout },
  );
}

/** Moves the thread's scroll position and resolves after two frames (the list re-rendered). */
function scrollTo(page: Page, to: 'top' | 'down'): Promise<{ ids: string[]; atEnd: boolean }> {
  return page.evaluate(
    async (to) => {
      const g = globalThis as unknown as { document: Doc; requestAnimationFrame(cb: () => void): void };
      const el = g.document.querySelector('[data-testid=thread-rows]') as Scroller;
      el.scrollTop = to === 'top' ? 0 : el.scrollTop + el.clientHeight / 2;
      for (let i = 0; i < 2; i++) await new Promise<void>((r) => g.requestAnimationFrame(r));
      const ids = [...el.querySelectorAll('article.row')].map((r) => r.getAttribute('data-message-id') ?? '');
      return { ids, atEnd: el.scrollHeight - el.scrollTop - el.clientHeight < 2 };
    },
    to,
  );
}

/**
 * Every row id of the thread in order, as a reader scrolling from the top to the bottom sees them
 * (the whole history must be loaded: scrollToThreadStart first for a long thread). A row shown
 * twice, or one never shown, shows in the list.
 */
export async function threadRowIds(page: Page): Promise<string[]> {
  const all: string[] = [];
  let view = await scrollTo(page, 'top');
  for (;;) {
    // Each view is a run of consecutive rows: add those after the last one already read.
    const from = all.length === 0 ? 0 : view.ids.indexOf(all.at(-1)!) + 1;
    all.push(...view.ids.slice(from));
    if (view.atEnd) return all;
    view = await scrollTo(page, 'down');
  }
}
