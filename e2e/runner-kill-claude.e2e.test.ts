// The runner driving Claude Code as a real process (`pilothouse run --agent claude
// --approval-policy bypassPermissions`, the pinned `claude` against the scripted model's Anthropic
// endpoint, on Claude's scratch HOME), SIGKILLed mid-turn again and again and restarted with
// --resume, on SQLite: no row is left streaming, none is doubled, every instruction ran at most
// once (its command appends a line to a file) and ended processed or failed "runner restarted"; a
// retry (control, /pilothouse retry) runs a failed one exactly once more; each restart ended what
// the dead process left running (its Claude Code, the commands it ran, and the `sleep 60` each
// command leaves in a session of its own), found by their session marker, before its new Claude
// Code started. The scenario and its checks: support/runner-kill.ts.
//
// Approvals: Claude's `bypassPermissions` mode, so the command, which writes a file, runs without
// a prompt (`--approval-policy never` is Claude's dontAsk, which refuses it). Prompts and their
// answers are agent-claude.e2e.test.ts's.
//
// Resume: Claude Code keeps its session id across `--resume`, so after every restart the runner's
// local state names the first Claude session, every request Claude made to the model carries it,
// and the last one still holds the first instruction.
// PILOTHOUSE_CLAUDE_KILLS sets the number of kills (default 5: each restart starts Claude Code).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, killScenario } from './support/runner-kill.js';

const KILLS = Number(process.env.PILOTHOUSE_CLAUDE_KILLS ?? 5);
afterEach(cleanUp);

/** The agent session id the runner remembers for its hub thread (its local state in PILOTHOUSE_HOME). */
function rememberedSession(home: string): string {
  const file = readdirSync(join(home, 'runner')).find((f) => f.endsWith('.json') && !f.endsWith('.cursor.json'))!;
  const state = readFileSync(join(home, 'runner', file), 'utf8');
  const id = /"codex_thread_id"\s*:\s*"([^"]+)"/.exec(state)?.[1];
  if (!id) throw new Error(`no agent thread in the runner state: ${state}`);
  return id;
}

describe('runner driving Claude Code SIGKILLed mid-turn (sqlite)', () => {
  it(`${KILLS} kills with --resume: nothing doubled, nothing streaming, nothing run twice unasked; every restart resumes the same Claude session`, async () => {
    const { w, final } = await killScenario('sqlite', 'claude', KILLS);
    // No restart had to start a new Claude session (that would post a notice).
    expect(final.filter((m) => m.kind === 'notice').map((m) => m.body)).toEqual([]);
    const session = rememberedSession(w.home);
    const asked = w.model.requests.filter((r) => !r.side);
    // Claude's own session header, one id for every process's requests: the first one's.
    expect(new Set(asked.map((r) => r.headers['x-claude-code-session-id']))).toEqual(new Set([session]));
    // The last request, after all the restarts, still holds the first instruction's turn.
    const last = JSON.stringify(asked.at(-1)!.body);
    expect(last).toContain('task 1');
    expect(last).toContain('Done with task 1.');
    console.info(`claude: ${asked.length} model requests, all in Claude session ${session}`);
  }, 120_000);
});
