// The fixed-rate latency probe: appends into one row paced by a 1 ms timer at `rate` per second
// for `seconds`, and the push→receive time at one subscriber (plus push→ack at the sender).
// Each append's offset identifies it, so no clock crosses a process boundary.

import { performance } from 'node:perf_hooks';
import { percentile, round } from './procs.js';

export interface LatencyResult {
  rate: number;
  seconds: number;
  sent: number;
  received: number;
  acked: number;
  errors: number;
  /** Appends actually sent per second (timer pacing). */
  achievedRate: number;
  receive: { p50: number; p99: number; max: number; mean: number };
  ack: { p50: number; p99: number; max: number };
}

export type SendAppend = (offset: number, text: string) => Promise<void>;

export class LatencyProbe {
  readonly #total: number;
  readonly #sentAt: Float64Array;
  readonly #recvMs: number[] = [];
  readonly #ackMs: number[] = [];
  readonly #text: string;
  #sent = 0;
  #errors = 0;

  constructor(
    private readonly rate: number,
    private readonly seconds: number,
    textBytes: number,
  ) {
    this.#total = Math.round(rate * seconds);
    this.#sentAt = new Float64Array(this.#total);
    this.#text = 'l'.repeat(textBytes);
  }

  /** Call from the measuring subscriber for each append of the probe's row. */
  onReceive(offset: number): void {
    const i = offset / this.#text.length;
    const at = this.#sentAt[i];
    if (at !== undefined && at > 0) this.#recvMs.push(performance.now() - at);
  }

  async run(send: SendAppend, drainMs: number): Promise<LatencyResult> {
    const start = performance.now();
    await new Promise<void>((resolve) => {
      const tick = setInterval(() => {
        const due = Math.min(this.#total, Math.floor(((performance.now() - start) * this.rate) / 1000));
        while (this.#sent < due) this.#sendOne(send);
        if (this.#sent >= this.#total) {
          clearInterval(tick);
          resolve();
        }
      }, 1);
    });
    const sendSeconds = (performance.now() - start) / 1000;
    const drainUntil = performance.now() + drainMs;
    while (performance.now() < drainUntil && (this.#recvMs.length < this.#sent || this.#ackMs.length + this.#errors < this.#sent)) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const recv = [...this.#recvMs].sort((a, b) => a - b);
    const ack = [...this.#ackMs].sort((a, b) => a - b);
    const r2 = (x: number) => round(x, 2);
    return {
      rate: this.rate,
      seconds: this.seconds,
      sent: this.#sent,
      received: recv.length,
      acked: ack.length,
      errors: this.#errors,
      achievedRate: round(this.#sent / sendSeconds, 0),
      receive: {
        p50: r2(percentile(recv, 50)),
        p99: r2(percentile(recv, 99)),
        max: r2(recv[recv.length - 1] ?? Number.NaN),
        mean: r2(recv.reduce((a, b) => a + b, 0) / (recv.length || 1)),
      },
      ack: { p50: r2(percentile(ack, 50)), p99: r2(percentile(ack, 99)), max: r2(ack[ack.length - 1] ?? Number.NaN) },
    };
  }

  #sendOne(send: SendAppend): void {
    const i = this.#sent++;
    const at = performance.now();
    this.#sentAt[i] = at;
    send(i * this.#text.length, this.#text).then(
      () => this.#ackMs.push(performance.now() - at),
      () => this.#errors++,
    );
  }
}
