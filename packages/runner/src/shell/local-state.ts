// What a runner remembers between runs, per (hub, channel, folder): its stable runner id, the
// session it last ran (hub thread + Codex thread), so `--resume` re-attaches to both, and the
// sessions before it, so a reply in one of their threads re-binds the session to it. The channel
// cursor sits beside it (hub/cursor.ts).

import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { CursorStore } from '../hub/cursor.js';

const OlderSession = z.object({ thread_id: z.string().min(1), codex_thread_id: z.string().min(1).nullable() });

const LocalStateFile = z.object({
  runner_id: z.string().min(1),
  session: z
    .object({
      thread_id: z.string().min(1),
      /** The agent thread (named for the first agent; a Claude or ACP session id for those agents). */
      codex_thread_id: z.string().min(1).nullable(),
      /** The agent that ran it (absent: Codex, written before other agents existed): `--resume` must use the same. */
      agent: z.string().min(1).optional(),
      /** The runner process that ran it last (its marker is in the environment of all it started). */
      instance_id: z.string().min(1).optional(),
    })
    .nullable(),
  /** Earlier sessions here, newest first: a reply in one of their threads re-binds the session to it (session/rebind.ts). */
  older: z.array(OlderSession).default([]),
});
export type LocalState = z.infer<typeof LocalStateFile>;
type Session = NonNullable<LocalState['session']>;

/** Older sessions remembered (the session core's MAX_OLDER_THREADS). */
export const MAX_OLDER_SESSIONS = 32;

/**
 * `session` is now the one this runner runs (a new one, the same with another agent thread, or an
 * older one it re-bound to): the session it replaces becomes the newest older one.
 */
export function rememberSession(state: LocalState, session: Session): LocalState {
  const previous = state.session;
  const moved = previous !== null && previous.thread_id !== session.thread_id ? [{ thread_id: previous.thread_id, codex_thread_id: previous.codex_thread_id }] : [];
  const older = [...moved, ...state.older.filter((o) => o.thread_id !== session.thread_id && !moved.some((m) => m.thread_id === o.thread_id))];
  return { ...state, session, older: older.slice(0, MAX_OLDER_SESSIONS) };
}

export class LocalStateStore {
  readonly file: string;
  readonly cursorFile: string;

  constructor(home: string, key: { hubUrl: string; channel: string; cwd: string }) {
    const id = createHash('sha256').update(`${key.hubUrl}\n${key.channel}\n${key.cwd}`).digest('hex').slice(0, 16);
    this.file = join(home, 'runner', `${id}.json`);
    this.cursorFile = join(home, 'runner', `${id}.cursor.json`);
  }

  load(): LocalState {
    if (existsSync(this.file)) {
      const parsed = LocalStateFile.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      if (parsed.success) return parsed.data;
    }
    const fresh: LocalState = { runner_id: `runner-${randomUUID()}`, session: null, older: [] };
    this.save(fresh);
    return fresh;
  }

  save(state: LocalState): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

/**
 * The cursor of a session being started: it starts at the channel's head (the hub client saves
 * the head at the first join) and lives in memory until `commit()`, once the new session is
 * saved; then it writes through to `target`. A start that fails half-way thus leaves the
 * previous session's cursor as it was: `--resume` of that session neither repeats nor skips.
 */
export function stagedCursor(target: CursorStore): CursorStore & { commit(): void } {
  let seq: number | undefined;
  let committed = false;
  return {
    load: () => seq,
    save(next) {
      seq = next;
      if (committed) target.save(next);
    },
    commit() {
      committed = true;
      if (seq !== undefined) target.save(seq);
    },
  };
}
