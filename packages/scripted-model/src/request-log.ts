// What reached the scripted model, and promises that resolve when the n-th request arrives.
import type { IncomingHttpHeaders } from 'node:http';

export interface RecordedRequest {
  /** 1-based arrival number. */
  readonly n: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The JSON body, or the raw text when it is not JSON. */
  readonly body: unknown;
  /** False when no reply was queued and the server answered 500. */
  readonly scripted: boolean;
  /** Which API the request spoke: OpenAI Responses (Codex), Anthropic Messages (Claude Code), Gemini (Gemini CLI). */
  readonly wire: 'responses' | 'anthropic' | 'gemini';
  /** A side call (title, token count, model list, an agent's JSON check): answered without consuming a reply or cue step. */
  readonly side: boolean;
}

interface Waiter {
  readonly n: number;
  readonly resolve: (request: RecordedRequest) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class RequestLog {
  readonly entries: RecordedRequest[] = [];
  #waiters = new Set<Waiter>();

  record(request: Omit<RecordedRequest, 'n'>): RecordedRequest {
    const entry = { ...request, n: this.entries.length + 1 };
    this.entries.push(entry);
    for (const waiter of this.#waiters) {
      if (waiter.n === entry.n) this.#settle(waiter, () => waiter.resolve(entry));
    }
    return entry;
  }

  /** Resolves with the n-th request (1-based) once it has arrived. */
  waitFor(n: number, timeoutMs: number): Promise<RecordedRequest> {
    const existing = this.entries[n - 1];
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        n,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#settle(waiter, () =>
            reject(new Error(`scripted model: request #${n} did not arrive within ${timeoutMs} ms (${this.entries.length} so far)`)),
          );
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Rejects every outstanding wait; called when the server closes. */
  close(): void {
    for (const waiter of this.#waiters) {
      this.#settle(waiter, () => waiter.reject(new Error(`scripted model closed before request #${waiter.n} arrived`)));
    }
  }

  #settle(waiter: Waiter, settle: () => void): void {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
    settle();
  }
}
