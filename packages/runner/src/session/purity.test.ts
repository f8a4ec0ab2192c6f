// The session state is plain data and `step` a pure function: a frozen state goes through a whole
// scenario untouched, and a state survives structuredClone and a JSON round trip as an equal value.
import { describe, expect, it } from 'vitest';
import { ALICE, CODEX_THREAD, HUB_THREAD, hubControl, hubMessage, item, note, request } from '../../test/session-fixtures.js';
import { CodexAdapter } from '../codex/adapter.js';
import type { ServerNotification, ServerRequest } from '../codex/generated/index.js';
import type { Effect } from './effects.js';
import { step, type SessionInput } from './session.js';
import { createSession, sessionConfig, type SessionState } from './state.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const T = 'turn-1';
const adapter = new CodexAdapter();
const fromCodex = (n: ServerNotification) => adapter.notification(n, 0);
const ask = (r: ServerRequest) => [adapter.request(r, 0)];

/** message -> turn -> deltas -> approval -> decision -> more deltas -> completion, with ticks between. */
function scenario(): Array<Omit<SessionInput, 'now'>> {
  const final = item.agent('msg_2', 'Hello there.');
  return [
    { type: 'hub_event', event: hubMessage(ALICE, 'say hello', { seq: 5 }) },
    { type: 'turn_start_ok', message_id: 'msg-5', turnId: T },
    ...fromCodex(note.turnStarted(T)),
    ...fromCodex(note.started(T, item.user('u1', 'say hello'))),
    ...fromCodex(note.started(T, item.agent('msg_2', ''))),
    ...fromCodex(note.agentDelta(T, 'msg_2', 'Hel')),
    ...fromCodex(note.agentDelta(T, 'msg_2', 'lo')),
    { type: 'tick' },
    ...fromCodex(note.started(T, item.command('call_6'))),
    ...ask(request.command(0, T, 'call_6')),
    { type: 'hub_event', event: hubControl(ALICE, { type: 'resolve_approval', request_id: `${T}:0`, choice: 'approve' }, 6) },
    ...fromCodex(note.outputDelta(T, 'call_6', 'hi\n')),
    { type: 'tick' },
    ...fromCodex(note.completed(T, item.command('call_6', { status: 'completed', output: 'hi\n', exitCode: 0 }))),
    ...fromCodex(note.agentDelta(T, 'msg_2', ' there.')),
    ...fromCodex(note.completed(T, final)),
    ...fromCodex(note.turnCompleted(T, 'completed', [final])),
    { type: 'hub_event', event: hubMessage(ALICE, 'and again', { seq: 7 }) },
    { type: 'close', reason: 'SIGINT' },
  ] as Array<Omit<SessionInput, 'now'>>;
}

function run(freeze: boolean): { states: SessionState[]; effects: Effect[][] } {
  let state = createSession(sessionConfig({ threadId: HUB_THREAD, agentThreadId: CODEX_THREAD, allowed: [{ name: 'alice', user_id: 'u-alice' }], approvalTimeoutMs: 60_000 }));
  const states = [state];
  const effects: Effect[][] = [];
  let now = 1_000;
  for (const input of scenario()) {
    now += 200;
    if (freeze) deepFreeze(state);
    const result = step(state, { ...input, now } as SessionInput);
    states.push(result.state);
    effects.push(result.effects);
    state = result.state;
  }
  return { states, effects };
}

describe('the session is plain data', () => {
  it('step never changes its input: a deep-frozen state runs a whole scenario, and the results match an unfrozen run', () => {
    const frozen = run(true);
    const plain = run(false);
    expect(frozen.effects).toEqual(plain.effects);
    expect(frozen.states).toEqual(plain.states);
    // The scenario did what it says (so the freeze covered real work).
    const types = frozen.effects.flat().map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['post_row', 'append', 'update_row', 'answer', 'set_state', 'start_turn']));
    expect(frozen.states.at(-1)?.closed).toBe(true);
  });

  it('every state along the way equals its structuredClone and its JSON round trip', () => {
    for (const state of run(false).states) {
      expect(structuredClone(state)).toStrictEqual(state);
      expect(JSON.parse(JSON.stringify(state))).toStrictEqual(state);
    }
  });

  it('an input state can be stepped twice with the same result (no hidden mutation)', () => {
    const { states } = run(false);
    const mid = states[10]!;
    const input = { type: 'tick', now: 999_999 } as const;
    expect(step(mid, input)).toEqual(step(mid, input));
  });
});
