// What the demo has started, to be stopped in reverse order: the one place shutdown happens,
// whether it comes from Ctrl-C half-way through starting, from a failed step, or at the end.

export type Closer = () => Promise<void> | void;

export class Cleanup {
  readonly #steps: { name: string; close: Closer }[] = [];
  readonly #late = new Set<Promise<void>>();
  readonly #forced: (() => void)[] = [];
  #running: Promise<void> | null = null;

  constructor(private readonly onError: (name: string, err: unknown) => void) {}

  /** True once stopping began: steps still starting should give up. */
  get closing(): boolean {
    return this.#running !== null;
  }

  /** Registers `close`; something that finished starting after stopping began is closed at once. */
  add(name: string, close: Closer): void {
    if (this.#running === null) {
      this.#steps.push({ name, close });
      return;
    }
    const late = this.#guard(name, close);
    this.#late.add(late);
    void late.finally(() => this.#late.delete(late));
  }

  /** A last resort for `force()`: synchronous, no waiting (kill -9, rm -rf). */
  onForce(action: () => void): void {
    this.#forced.push(action);
  }

  /** The second Ctrl-C: every last resort, now, whatever the orderly shutdown is doing. */
  force(): void {
    for (const action of this.#forced.reverse()) {
      try {
        action();
      } catch (err) {
        this.onError('forced stop', err);
      }
    }
    this.#forced.length = 0;
  }

  /** Closes everything, last started first; idempotent (a second call waits for the first). */
  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps.reverse()) await this.#guard(step.name, step.close);
      this.#steps.length = 0;
      await Promise.all(this.#late);
    })();
    return this.#running;
  }

  async #guard(name: string, close: Closer): Promise<void> {
    try {
      await close();
    } catch (err) {
      this.onError(name, err);
    }
  }
}
