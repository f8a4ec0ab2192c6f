// The shell's one clock: exactly one timer, armed at the core's next deadline (nextDeadline) and
// re-armed only when that deadline moves (most deltas leave it where it is, and a
// clearTimeout/setTimeout pair per delta adds up). Stopped once, when the runner closes.

export class Clock {
  readonly #onTick: (now: number) => void;
  #timer: NodeJS.Timeout | null = null;
  #at: number | null = null;
  #stopped = false;

  constructor(onTick: (now: number) => void) {
    this.#onTick = onTick;
  }

  /** One timer at `at` (epoch ms), or none when null. */
  arm(at: number | null): void {
    if (this.#stopped) return;
    if (at === this.#at && (this.#timer !== null || at === null)) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#at = at;
    if (at === null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#at = null;
      this.#onTick(Date.now());
    }, Math.max(0, at - Date.now()));
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
