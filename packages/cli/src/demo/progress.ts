// The demo's progress lines: one per step, with what it gave and how long it took, on stderr
// (stdout carries only the result line, so `--json` output stays one parseable line).

import { performance } from 'node:perf_hooks';

export interface Progress {
  step<T>(label: string, run: () => Promise<T>, detail?: (value: T) => string): Promise<T>;
  note(text: string): void;
  /** Milliseconds since the progress began. */
  elapsed(): number;
}

export const formatMs = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);

export function createProgress(write: (line: string) => void, now: () => number = () => performance.now()): Progress {
  const began = now();
  return {
    async step(label, run, detail) {
      const started = now();
      try {
        const value = await run();
        const said = detail?.(value);
        write(`  ✓ ${label}${said ? `: ${said}` : ''} (${formatMs(now() - started)})`);
        return value;
      } catch (err) {
        write(`  ✗ ${label} (${formatMs(now() - started)})`);
        throw err;
      }
    },
    note: (text) => write(text),
    elapsed: () => now() - began,
  };
}
