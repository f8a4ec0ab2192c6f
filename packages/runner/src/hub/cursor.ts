// Where the runner keeps the last channel seq it fully processed, so that a restarted runner
// resumes with `since: cursor` and misses nothing. The file store replaces the file atomically
// (write a temporary file, fsync, rename), so a crash leaves the old cursor or the new, never half.

import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { Seq } from '@pilothouse/protocol';
import { HubClientError } from './errors.js';

export interface CursorStore {
  /** The last processed seq, or undefined when the runner never processed anything here. */
  load(): number | undefined;
  save(seq: number): void;
}

export function memoryCursor(initial?: number): CursorStore & { readonly saved: number | undefined } {
  let seq = initial;
  return {
    get saved() {
      return seq;
    },
    load: () => seq,
    save(next) {
      seq = next;
    },
  };
}

const CursorFile = z.object({ seq: Seq });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined; // not JSON: reported as a corrupt file by the schema check
  }
}

export function fileCursor(path: string): CursorStore {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  return {
    load() {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new HubClientError('cursor_unreadable', `Cannot read the cursor file ${path}: ${(err as Error).message}`, undefined, { cause: err });
      }
      const parsed = CursorFile.safeParse(parseJson(text));
      // A corrupt cursor must not silently become "start from now": that would skip events.
      if (!parsed.success) throw new HubClientError('cursor_unreadable', `The cursor file ${path} is corrupt; delete it to start from the channel's head.`);
      return parsed.data.seq;
    },
    save(seq) {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, `${JSON.stringify({ seq })}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    },
  };
}
