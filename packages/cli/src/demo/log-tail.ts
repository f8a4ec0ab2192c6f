// The last warnings and errors of the demo's log (pino JSON lines), to print when something failed:
// the log itself goes with the scratch folder unless --keep.

import { readFileSync } from 'node:fs';

const WARN = 40;

function describe(line: string): string | null {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return null; // not a log line (a partial write): nothing to show
  }
  if (typeof entry !== 'object' || entry === null) return null;
  const { level, msg, part, err } = entry as Record<string, unknown>;
  if (typeof level !== 'number' || level < WARN || typeof msg !== 'string') return null;
  const why = typeof err === 'string' ? err : typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string' ? (err as { message: string }).message : null;
  return `${typeof part === 'string' ? `${part}: ` : ''}${msg}${why ? ` (${why})` : ''}`;
}

export function logTail(file: string, count = 5): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return []; // no log yet: the failure came before anything was logged
  }
  return text
    .split('\n')
    .flatMap((line) => describe(line) ?? [])
    .slice(-count);
}
