// An agent that retries its model without a word (Gemini CLI over ACP): the session asks the
// model's URL itself once the turn has been quiet `modelProbeMs` while it waits on the model, and
// a probe nobody answers starts the same unreachable clock an agent's own report would.
import type { MessageState } from '@pilothouse/protocol';
import { describe, expect, it } from 'vitest';
import { ALICE, CODEX_THREAD, Harness, hubMessage, only, request } from '../../test/session-fixtures.js';
import type { RowData } from '../agent/vocabulary.js';
import { probeDeadline } from './unreachable.js';

const T = 'turn-1';
const URL_ = 'http://127.0.0.1:9';
const REFUSED = { answered: false, problem: 'connect ECONNREFUSED 127.0.0.1:9' } as const;
const START = Date.parse('2025-03-04T15:17:00Z');

/** A Gemini-like session (the agent reports no trouble of its own) with the message's turn just started. */
function quietTurn(options: ConstructorParameters<typeof Harness>[0] = {}): Harness {
  const h = new Harness({ agentTitle: 'Gemini CLI', modelUrl: URL_, modelProbeMs: 3_000, unreachableMs: 15_000, ...options });
  h.now = START;
  h.hub_(hubMessage(ALICE, 'hello', { seq: 5 }));
  h.feed({ type: 'turn_start_ok', message_id: 'msg-5', turnId: T });
  return h;
}

const lastState = (h: Harness): MessageState | undefined => only(h.effects, 'set_state').filter((e) => e.payload.message_id === 'msg-5').at(-1)?.payload.state;
const probes = (effects: ReturnType<Harness['feed']>) => only(effects, 'probe_model');
const row = (key: string, kind: RowData['kind'], status: RowData['status']): RowData => ({ key, kind, body: null, meta: {}, status, eager: true });

describe('a turn quiet on a model nobody answers', () => {
  it('is probed after modelProbeMs; no answer shows at once, and unreachableMs later the turn is stopped and fails with the reason and the URL', () => {
    const h = quietTurn();
    expect(probeDeadline(h.state)).toBe(START + 3_000);
    expect(probes(h.tick(2_999))).toEqual([]);
    expect(probes(h.tick(1))).toEqual([{ type: 'probe_model', turnId: T, url: URL_ }]);
    // One probe at a time.
    expect(probes(h.tick(10_000))).toEqual([]);
    h.now = START + 3_000;
    h.feed({ type: 'model_probed', turnId: T, result: REFUSED });
    expect(lastState(h)).toEqual({ state: 'processing', reason: 'reconnecting to the model (attempt 1)', approval: null, trouble: { kind: 'reconnecting', attempt: 1, message: 'connect ECONNREFUSED 127.0.0.1:9', http_status: null } });
    // Asked again while the quiet lasts; still nothing: the same trouble, the clock from the first.
    expect(probes(h.tick(3_000))).toHaveLength(1);
    h.feed({ type: 'model_probed', turnId: T, result: { answered: false, problem: 'no answer within 5 s' } });
    expect(lastState(h)?.trouble).toEqual({ kind: 'reconnecting', attempt: 1, message: 'no answer within 5 s', http_status: null });
    expect(only(h.tick(11_999), 'interrupt')).toEqual([]);
    const gaveUp = h.tick(1);
    expect(only(gaveUp, 'interrupt')).toEqual([{ type: 'interrupt', threadId: CODEX_THREAD, turnId: T }]);
    expect(probes(gaveUp)).toEqual([]);
    // Given up: no more probes, no second interrupt, whatever answers late.
    const after = [...h.feed({ type: 'model_probed', turnId: T, result: REFUSED }), ...h.tick(30_000)];
    expect([...probes(after), ...only(after, 'interrupt')]).toEqual([]);
    h.feed({ type: 'turn_completed', turnId: T, outcome: { status: 'interrupted' }, finals: [] });
    expect(lastState(h)).toEqual({ state: 'failed', reason: 'Gemini CLI cannot reach its model at http://127.0.0.1:9: no answer within 5 s (no answer for 15 s; the turn was stopped)', approval: null });
    expect(probeDeadline(h.state)).toBeNull();
  });

  it('an answer (any HTTP status) stops the clock and clears the trouble; the quiet is probed again later', () => {
    const h = quietTurn();
    h.tick(3_000);
    h.feed({ type: 'model_probed', turnId: T, result: REFUSED });
    h.tick(3_000);
    h.feed({ type: 'model_probed', turnId: T, result: { answered: true, httpStatus: 404 } });
    expect(lastState(h)).toEqual({ state: 'processing', reason: 'starting turn', approval: null });
    expect(only(h.tick(3_000), 'probe_model')).toHaveLength(1);
    h.feed({ type: 'model_probed', turnId: T, result: { answered: true, httpStatus: 404 } });
    expect(only([...h.tick(3_000), ...h.tick(60_000)], 'interrupt')).toEqual([]);
  });

  it('the agent speaking ends the quiet: an answer to a probe sent before is old news, the next probe waits a full modelProbeMs', () => {
    const h = quietTurn();
    h.tick(3_000);
    h.tick(500);
    h.feed({ type: 'item_delta', turnId: T, key: `${T}:m0`, kind: 'assistant', text: 'Hel' });
    h.feed({ type: 'model_probed', turnId: T, result: REFUSED });
    expect(lastState(h)).toMatchObject({ state: 'processing', reason: 'streaming response' });
    expect(lastState(h)?.trouble).toBeUndefined();
    expect(probeDeadline(h.state)).toBe(START + 3_500 + 3_000);
    // A stream that stops mid-answer is quiet too.
    expect(only(h.tick(3_000), 'probe_model')).toHaveLength(1);
    h.feed({ type: 'model_probed', turnId: T, result: REFUSED });
    expect(lastState(h)?.reason).toBe('reconnecting to the model (attempt 1)');
    // Output again: the trouble and its clock end.
    h.feed({ type: 'item_delta', turnId: T, key: `${T}:m0`, kind: 'assistant', text: 'lo' });
    expect(only(h.tick(14_000), 'interrupt')).toEqual([]);
  });

  it('not while a tool runs or a person is asked: the quiet starts when they are done', () => {
    const h = quietTurn();
    h.feed({ type: 'item_started', turnId: T, row: row(`${T}:tool:1`, 'command', 'streaming') });
    expect(probeDeadline(h.state)).not.toBe(START + 3_000);
    expect(probes(h.tick(60_000))).toEqual([]);
    h.feed({ type: 'item_completed', turnId: T, row: row(`${T}:tool:1`, 'command', 'completed') });
    expect(probes(h.tick(2_999))).toEqual([]);
    expect(probes(h.tick(1))).toHaveLength(1);
    h.feed({ type: 'model_probed', turnId: T, result: { answered: true, httpStatus: 200 } });
    h.ask(request.command(0, T, 'call_6'));
    expect(probes(h.tick(60_000))).toEqual([]);
  });

  it('an agent that reports its own trouble (modelProbeMs null), or a model URL nobody knows, is never probed', () => {
    for (const h of [quietTurn({ modelProbeMs: null }), quietTurn({ modelUrl: null })]) {
      expect(probeDeadline(h.state)).toBeNull();
      expect(probes(h.tick(60_000))).toEqual([]);
    }
  });
});
