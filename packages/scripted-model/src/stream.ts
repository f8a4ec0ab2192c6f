// Writes one planned answer onto an HTTP response, stopping as soon as the client leaves.
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Plan } from './plan.js';

/** A stream whose events are already framed as SSE text by their wire's encoder. */
type StreamPlan = Extract<Plan<string>, { kind: 'stream' }>;

/**
 * Streams `plan` as `text/event-stream`. A held plan waits for `released` (then writes its
 * tail) or for `signal` (client disconnect / server close), whichever comes first.
 */
export async function writeStream(res: ServerResponse, plan: StreamPlan, released: Promise<void>, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.flushHeaders();
  try {
    for (const frame of plan.frames) {
      if (frame.delayMs > 0) await sleep(frame.delayMs, undefined, { signal });
      if (signal.aborted) return;
      res.write(frame.event);
    }
    if (plan.hold) {
      await Promise.race([released, aborted(signal)]);
      if (signal.aborted) return;
      for (const event of plan.tail) res.write(event);
    }
    res.end();
  } catch (error) {
    if (!signal.aborted) throw error;
    // Aborted mid-sleep: the client is gone, nothing left to write.
  }
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function writeHttpError(res: ServerResponse, status: number, body: unknown): void {
  if (typeof body === 'string') {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
  } else {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? null));
  }
}
