// The runner driving Gemini CLI over ACP as a real process (`pilothouse run --agent gemini --model
// GEMINI_TEST_MODEL`, the pinned `gemini --acp` against the scripted model's Gemini endpoint),
// SIGKILLed mid-turn again and again and restarted with --resume, on SQLite: no row is left
// streaming, none is doubled, every instruction ran at most once (its command appends a line to a
// file) and ended processed or failed "runner restarted"; a retry (control, /pilothouse retry)
// runs a failed one exactly once more; each restart ended what the dead process left running (its
// Gemini CLI, the commands it ran, and the `sleep 60` each command leaves in a session of its own,
// out of reach of Gemini CLI's process-group kill), found by their session marker, before its new
// Gemini CLI started. The scenario and its checks: support/runner-kill.ts.
//
// Approvals: the runner runs with `--approval-policy never` (Gemini CLI's yolo mode), so the
// command, which writes a file, runs without a prompt: simpler and deterministic than answering
// each prompt as alice, and the kill points stay inside the command and the streamed answer.
// (Prompts and their answers are agent-gemini.e2e.test.ts's.)
//
// Resume: Gemini CLI 0.61.0 mostly refuses `session/load` from a new process ("No previous
// sessions found for this project"); such a restart posts a notice that the agent session could
// not be resumed and starts a new ACP session (some restarts do load it). The invariants hold
// all the same.
// PILOTHOUSE_GEMINI_KILLS sets the number of kills (default 6: each restart starts Gemini CLI).

import { afterEach, describe, expect, it } from 'vitest';
import { cleanUp, killScenario } from './support/runner-kill.js';

const KILLS = Number(process.env.PILOTHOUSE_GEMINI_KILLS ?? 6);
afterEach(cleanUp);

describe('runner driving Gemini CLI SIGKILLed mid-turn (sqlite)', () => {
  it(`${KILLS} kills with --resume: nothing doubled, nothing streaming, nothing run twice unasked; a restart that cannot load the Gemini session says so`, async () => {
    const { w } = await killScenario('sqlite', 'gemini', KILLS);
    // Each restart either loaded the dead process's ACP session or, refused, said so in one
    // notice with Gemini CLI's reason (and started a new one).
    const refused = w.processLogs.slice(1).filter((lines) => lines.some((l) => l.event === 'acp_load_failed')).length;
    const notices = (await w.thread()).filter((m) => m.kind === 'notice').map((m) => m.body);
    expect(notices).toEqual(new Array<unknown>(refused).fill(expect.stringMatching(/could not be resumed.*session\/load.*No previous sessions found/s)));
    console.info(`gemini: ${refused} of ${KILLS} restarts could not load the session, ${KILLS - refused} loaded it`);
  }, 120_000);
});
