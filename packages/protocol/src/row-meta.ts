// The fields of a row's `meta` that readers other than its writer rely on (docs/protocol.md §7
// "Row meta"): the session root row's facts (which agent, whose runner, on which host), a
// command row's activity beyond its lifecycle (awaiting approval, left running in the background),
// and the marker of a row whose output the hub pruned.
// Meta stays free-form JSON; these schemas name the shared keys once.

import { z } from 'zod';

/** The `session` root row a runner posts when it opens a session thread. */
export const SessionRowMeta = z.object({
  cwd: z.string().optional(),
  /** The agent's id, e.g. `codex`. */
  agent: z.string().optional(),
  agent_version: z.string().optional(),
  listen_user: z.string().optional(),
  /** The runner machine's host name (`os.hostname()`). */
  host: z.string().max(255).optional(),
});
export type SessionRowMeta = z.infer<typeof SessionRowMeta>;

/**
 * What a `command` row is doing beyond its status: `awaiting_approval` while its approval prompt
 * is open (status `streaming`); `background` once its turn ended with the command still running
 * and listening on `ports` (status `completed`: the turn is done with it, the process is not).
 */
export const CommandActivity = z.enum(['awaiting_approval', 'background']);
export type CommandActivity = z.infer<typeof CommandActivity>;

export const CommandRowMeta = z.object({
  activity: CommandActivity.optional(),
  /** With `background`: the ports the command's processes listen on. */
  ports: z.array(z.number().int().min(1).max(65535)).max(64).optional(),
});
export type CommandRowMeta = z.infer<typeof CommandRowMeta>;

/**
 * A row whose output the hub pruned after `after_days` days (retention; docs/protocol.md §7 "Row
 * meta"): its body is empty from `at` on, in the thread and in every event of the log that carried
 * it; `length` is how long the body was. The rest of its meta (the command, the paths) is kept.
 */
export const PrunedRowMeta = z.object({
  pruned: z.object({
    at: z.string(),
    after_days: z.number().int().positive(),
    length: z.number().int().nonnegative(),
  }),
});
export type PrunedRowMeta = z.infer<typeof PrunedRowMeta>;

/** Display names of agents by id (the session row's `agent`, presence `agent.name`). */
export function agentDisplayName(agent: string): string {
  const known: Record<string, string> = { codex: 'Codex', claude: 'Claude Code', gemini: 'Gemini CLI' };
  return known[agent.toLowerCase()] ?? agent;
}
