// A thread's rows as a virtual list: only the rows in view (and a few either side) are in the DOM,
// each measured as it renders, so a thread of 10,000 rows with large outputs opens and scrolls
// like a short one. The list is anchored at its end, like a chat: it opens on the newest rows,
// follows new rows and growing ones while the reader is at the bottom, keeps the reader's row in
// place when older rows are added above it, and offers a jump back down when they scrolled up.
// Older history loads (get_thread `before_seq`, docs/protocol.md §4.4) as the top comes near.

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { Message } from '@pilothouse/protocol';
import { Row } from './Row.js';
import type { RowContext } from './row-context.js';

/** Rows rendered beyond the view on each side: scrolling shows rows already laid out. */
const OVERSCAN = 6;
/** A row's height before it is measured: a typical short row. */
const ESTIMATE = 96;
/** The reader counts as "at the bottom" within this many pixels of it. */
const AT_END = 48;
/** Older history loads once the first visible row is within this many rows of the top. */
const NEAR_TOP = 8;
const PADDING_START = 12;
const PADDING_END = 18;
const GAP = 8;

export interface ThreadRowsProps {
  messages: readonly Message[];
  clipped: Readonly<Record<string, number>>;
  ctx: RowContext;
  /** The next older page's cursor, null once the whole history is loaded. */
  older: number | null;
  olderError: string | null;
  loadOlder: () => void;
}

/** The key of the top item (what the history above the rows shows), distinct from every message id. */
const HISTORY = '\u0000history';

export function ThreadRows({ messages, clipped, ctx, older, olderError, loadOlder }: ThreadRowsProps) {
  const scroller = useRef<HTMLDivElement>(null);
  // Item 0 says how the history above stands; items 1.. are the messages.
  const count = messages.length + 1;
  const keyOf = useCallback((i: number) => (i === 0 ? HISTORY : (messages[i - 1]?.id ?? `missing:${i}`)), [messages]);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => (i === 0 ? 40 : ESTIMATE),
    getItemKey: keyOf,
    overscan: OVERSCAN,
    paddingStart: PADDING_START,
    paddingEnd: PADDING_END,
    gap: GAP,
    // Start at the (estimated) end, so the first render lays out the newest rows, not the oldest.
    initialOffset: () => count * (ESTIMATE + GAP),
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: AT_END,
  });

  // Open on the newest rows.
  const opened = useRef(false);
  useLayoutEffect(() => {
    if (opened.current || messages.length === 0) return;
    opened.current = true;
    virtualizer.scrollToEnd();
  }, [virtualizer, messages.length]);

  // Where the reader is: at the bottom (following), or up in the history since a given seq.
  const lastSeq = messages.at(-1)?.seq ?? 0;
  const [leftAt, setLeftAt] = useState<number | null>(null);
  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight <= AT_END;
    setLeftAt((was) => (atEnd ? null : (was ?? lastSeq)));
  }, [lastSeq]);
  const unseen = leftAt === null ? 0 : countAfter(messages, leftAt);
  const jump = () => {
    setLeftAt(null);
    virtualizer.scrollToEnd();
  };

  // Older history as the top comes into view (the session loads one page at a time).
  const items = virtualizer.getVirtualItems();
  const firstShown = virtualizer.range?.startIndex ?? items[0]?.index ?? 0;
  useEffect(() => {
    if (older !== null && olderError === null && messages.length > 0 && firstShown <= NEAR_TOP) loadOlder();
  }, [older, olderError, firstShown, messages.length, loadOlder]);

  return (
    <div className="rows-frame">
      <div className="rows rows-virtual" ref={scroller} onScroll={onScroll} data-testid="thread-rows">
        <div className="rows-space" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const m = item.index === 0 ? null : messages[item.index - 1];
            return (
              <div key={item.key} className="rows-item" data-index={item.index} ref={virtualizer.measureElement} style={{ transform: `translateY(${item.start}px)` }}>
                {m ? <Row message={m} clipped={clipped[m.id]} ctx={ctx} /> : <HistoryEdge older={older} error={olderError} retry={loadOlder} />}
              </div>
            );
          })}
        </div>
      </div>
      {leftAt !== null ? (
        <button type="button" className="jump-latest" onClick={jump} data-unseen={unseen}>
          {unseen > 0 ? `↓ ${unseen} new ${unseen === 1 ? 'message' : 'messages'}` : '↓ Jump to latest'}
        </button>
      ) : null}
    </div>
  );
}

/** Messages after `seq`, counted from the end (they are in seq order). */
function countAfter(messages: readonly Message[], seq: number): number {
  let n = 0;
  for (let i = messages.length - 1; i >= 0 && messages[i]!.seq > seq; i--) n++;
  return n;
}

/** The top of the list: older history loading, failed to load, or the start of the thread. */
function HistoryEdge({ older, error, retry }: { older: number | null; error: string | null; retry: () => void }) {
  if (error !== null) {
    return (
      <p className="history-edge" role="alert">
        {error}{' '}
        <button type="button" onClick={retry}>
          Retry
        </button>
      </p>
    );
  }
  return older !== null ? (
    <p className="history-edge" aria-live="polite" data-history="loading">
      Loading older messages…
    </p>
  ) : (
    <p className="history-edge" data-history="start">
      Start of the thread
    </p>
  );
}
