// What the daemon remembers of its sessions across restarts (<home>/machine/<name>.json, written
// atomically): each session as the web sees it, plus what only the daemon needs (the runner's pid,
// the start request's client id, the runner options to resume with).

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ClientId, MachineSession, PORTS_PER_SESSION, SessionApprovalPolicy, SessionEffort, SessionSandbox } from '@pilothouse/protocol';

export const SessionRecord = z.object({
  session: MachineSession,
  /** The runner process (null once it is gone). */
  pid: z.number().int().positive().nullable(),
  /** The start request's client id: a retried start answers with this session. */
  client_id: ClientId,
  /** How the runner was started, so a restart can resume it the same way. */
  runner: z.object({
    cwd: z.string(),
    model: z.string().optional(),
    effort: SessionEffort.optional(),
    sandbox: SessionSandbox.optional(),
    approval_policy: SessionApprovalPolicy.optional(),
    allow: z.array(z.string()),
  }),
  /** The runner's log file. */
  log: z.string(),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

const RecordsFile = z.object({ version: z.literal(1), sessions: z.array(SessionRecord) });

export class SessionRecords {
  readonly file: string;

  constructor(home: string, machine: string) {
    this.file = join(home, 'machine', `${machine.toLowerCase()}.json`);
  }

  load(): SessionRecord[] {
    if (!existsSync(this.file)) return [];
    const parsed = RecordsFile.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
    if (!parsed.success) throw new Error(`${this.file} is not a valid machine state file (${parsed.error.issues[0]?.message ?? 'invalid'}); move it away to start afresh.`);
    return parsed.data.sessions;
  }

  save(sessions: readonly SessionRecord[]): void {
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, sessions }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

/** A session whose runner is (or should be) running. */
export const isLive = (s: Pick<MachineSession, 'state'>): boolean => s.state === 'starting' || s.state === 'running';

/** Ended sessions the daemon remembers (its records) and reports (the web's list); live ones always. */
export const KEEP_ENDED = 50;
export const REPORT_ENDED = 20;

/** The newest `keep` ended sessions and every other. */
function newestEnded<T extends { session: MachineSession }>(list: readonly T[], keep: number): T[] {
  const ended = list.filter((r) => r.session.state === 'ended').sort((a, b) => b.session.started_at.localeCompare(a.session.started_at));
  const dropped = new Set(ended.slice(keep));
  return list.filter((r) => !dropped.has(r));
}

export const pruned = (list: readonly SessionRecord[]): SessionRecord[] => newestEnded(list, KEEP_ENDED);
export const reported = (list: readonly SessionRecord[]): MachineSession[] => newestEnded(list, REPORT_ENDED).map((r) => r.session);

/** The lowest port slot (0, 1, …) no live session holds, for ranges from `base`. */
export function freeSlot(sessions: readonly SessionRecord[], base: number): number {
  const taken = new Set(sessions.filter((r) => isLive(r.session)).map((r) => r.session.ports.from));
  let slot = 0;
  while (taken.has(base + slot * PORTS_PER_SESSION)) slot++;
  return slot;
}
