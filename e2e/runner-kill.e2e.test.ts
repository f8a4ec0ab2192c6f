// The runner driving Codex as a real process, SIGKILLed mid-turn again and again and restarted
// with --resume, on SQLite (PostgreSQL: runner-kill-postgres.e2e.test.ts, a file of its own so
// that the two run in parallel): no row is left streaming, none is doubled, every instruction ran
// at most once (its command appends a line to a file) and ended processed or failed "runner
// restarted"; a retry (control, /pilothouse retry) runs a failed one exactly once more.
// The scenario and its checks: support/runner-kill.ts. docs/protocol.md, "Runner restarts".

import { afterEach, describe, it } from 'vitest';
import { cleanUp, killScenario } from './support/runner-kill.js';

const KILLS = Number(process.env.PILOTHOUSE_KILLS ?? 50);
afterEach(cleanUp);

describe('runner SIGKILLed mid-turn (sqlite)', () => {
  it(`${KILLS} kills with --resume: nothing doubled, nothing streaming, nothing run twice unasked`, async () => {
    await killScenario('sqlite', 'codex', KILLS);
  }, 400_000);
});
