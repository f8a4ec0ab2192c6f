import { describe, expect, it } from 'vitest';
import { EventFeed } from './event-feed.js';

describe('EventFeed', () => {
  it('buffers events for an iterator from its creation until the feed ends', async () => {
    const feed = new EventFeed<number>();
    feed.emit(0);
    const iterator = feed.iterate();
    feed.emit(1);
    feed.emit(2);
    feed.end();
    const seen: number[] = [];
    for await (const n of iterator) seen.push(n);
    expect(seen).toEqual([1, 2]);
  });

  it('wakes a waiting iterator and stops on break', async () => {
    const feed = new EventFeed<string>();
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const event of feed.iterate()) {
        seen.push(event);
        if (event === 'stop') break;
      }
    })();
    feed.emit('a');
    feed.emit('stop');
    await consumer;
    feed.emit('late');
    expect(seen).toEqual(['a', 'stop']);
  });

  it('calls listeners until unsubscribed, and an iterator made after the end is empty', async () => {
    const feed = new EventFeed<number>();
    const seen: number[] = [];
    const off = feed.on((n) => seen.push(n));
    feed.emit(1);
    off();
    feed.emit(2);
    feed.end();
    expect(seen).toEqual([1]);
    expect(await feed.iterate().next()).toEqual({ value: undefined, done: true });
  });
});
