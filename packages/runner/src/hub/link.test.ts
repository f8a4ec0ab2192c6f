// The link state machine with plain values.

import { describe, expect, it } from 'vitest';
import { initialLink, publicState, stepLink, type LinkInput, type LinkState } from './link.js';

const run = (inputs: LinkInput[], from: LinkState = initialLink) => {
  let state = from;
  const effects = [];
  for (const input of inputs) {
    const step = stepLink(state, input);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects };
};

const boom = new Error('boom');

describe('stepLink', () => {
  it('joins, registers, then flushes; public state goes connecting → connected', () => {
    const joined = run([{ type: 'joined', headSeq: 7 }]);
    expect(joined.effects).toEqual([{ type: 'register', session: 1 }]);
    expect(publicState(joined.state)).toEqual({ status: 'connecting', lastError: null });
    const up = run([{ type: 'registered', session: 1 }], joined.state);
    expect(up.state).toEqual({ status: 'up', session: 1, headSeq: 7 });
    expect(up.effects).toEqual([{ type: 'flush' }]);
    expect(publicState(up.state)).toEqual({ status: 'connected', headSeq: 7 });
  });

  it('a loss rewinds the outbox and reports reconnecting with the error; a rejoin opens a new session', () => {
    const up = run([{ type: 'joined', headSeq: 1 }, { type: 'registered', session: 1 }]).state;
    const lost = run([{ type: 'lost', error: boom, reconnect: false }], up);
    expect(lost.effects).toEqual([{ type: 'rewind' }]);
    expect(publicState(lost.state)).toEqual({ status: 'reconnecting', lastError: boom });
    const again = run([{ type: 'joined', headSeq: 3 }], lost.state);
    expect(again.effects).toEqual([{ type: 'register', session: 2 }]);
  });

  it('a push timeout of the current session replaces the socket; one of an earlier session is ignored', () => {
    const up = run([{ type: 'joined', headSeq: 1 }, { type: 'registered', session: 1 }, { type: 'lost', error: boom, reconnect: false }, { type: 'joined', headSeq: 1 }, { type: 'registered', session: 2 }]).state;
    expect(run([{ type: 'lost', error: boom, session: 1, reconnect: true }], up)).toEqual({ state: up, effects: [] });
    expect(run([{ type: 'lost', error: boom, session: 2, reconnect: true }], up).effects).toEqual([{ type: 'rewind' }, { type: 'reconnect' }]);
  });

  it('ignores a registration answer of an earlier session', () => {
    const state = run([{ type: 'joined', headSeq: 1 }, { type: 'lost', error: boom, reconnect: false }, { type: 'joined', headSeq: 1 }]).state;
    expect(run([{ type: 'registered', session: 1 }], state)).toEqual({ state, effects: [] });
  });

  it('an unexpected rejoin while up rewinds before registering again', () => {
    const up = run([{ type: 'joined', headSeq: 1 }, { type: 'registered', session: 1 }]).state;
    expect(run([{ type: 'joined', headSeq: 2 }], up).effects).toEqual([{ type: 'rewind' }, { type: 'register', session: 2 }]);
  });

  it('a refusal is final: stop once, then nothing but close', () => {
    const failed = run([{ type: 'transport_error', error: boom }, { type: 'refused', error: boom }]);
    expect(failed.effects).toEqual([{ type: 'stop', error: boom }]);
    expect(publicState(failed.state)).toEqual({ status: 'failed', error: boom });
    expect(run([{ type: 'joined', headSeq: 1 }, { type: 'lost', error: boom, reconnect: true }], failed.state)).toEqual({ state: failed.state, effects: [] });
    expect(run([{ type: 'close' }], failed.state)).toEqual({ state: { status: 'closed' }, effects: [] });
  });

  it('close stops with no error', () => {
    expect(run([{ type: 'joined', headSeq: 1 }, { type: 'close' }])).toEqual({ state: { status: 'closed' }, effects: [{ type: 'register', session: 1 }, { type: 'stop', error: null }] });
  });
});
