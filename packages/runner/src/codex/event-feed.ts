// Fan-out of events to listeners and to async iterators. An iterator buffers every event
// from the moment it is created until consumed, and finishes once the feed has ended.

interface Sink<T> {
  push(event: T): void;
  finish(): void;
}

export class EventFeed<T> {
  #sinks = new Set<Sink<T>>();
  #ended = false;

  emit(event: T): void {
    for (const sink of [...this.#sinks]) sink.push(event);
  }

  /** Calls `listener` for every later event; returns an unsubscribe function. */
  on(listener: (event: T) => void): () => void {
    const sink: Sink<T> = { push: listener, finish: () => {} };
    this.#sinks.add(sink);
    return () => this.#sinks.delete(sink);
  }

  end(): void {
    this.#ended = true;
    for (const sink of [...this.#sinks]) sink.finish();
    this.#sinks.clear();
  }

  iterate(): AsyncIterableIterator<T> {
    const buffer: T[] = [];
    let finished = this.#ended;
    let wake: (() => void) | undefined;
    const sink: Sink<T> = {
      push: (event) => {
        buffer.push(event);
        wake?.();
      },
      finish: () => {
        finished = true;
        wake?.();
      },
    };
    if (!finished) this.#sinks.add(sink);
    const stop = (): IteratorResult<T> => {
      finished = true;
      buffer.length = 0;
      this.#sinks.delete(sink);
      return { value: undefined, done: true };
    };
    const iterator: AsyncIterableIterator<T> = {
      next: async () => {
        while (buffer.length === 0 && !finished) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (buffer.length > 0) return { value: buffer.shift() as T, done: false };
        return stop();
      },
      return: async () => stop(),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
