// `/pilothouse …` messages in the session thread: commands for the runner, never agent turns.
import { describe, expect, it } from 'vitest';
import { isChatCommand } from './hub-events.js';
import { ALICE, BOB, Harness, hubMessage, only, wire } from '../../test/session-fixtures.js';

const PREVIEWS = { idPrefix: 'pf-', secret: 's'.repeat(32), initialForward: [], suppressed: [], scanMs: null };

describe('chat commands', () => {
  it('decides a command inside the session, from anyone, without queueing it for Codex', () => {
    const h = new Harness({ previews: PREVIEWS });
    for (const [who, seq] of [[ALICE, 3], [BOB, 4]] as const) {
      const text = '/pilothouse approve-port-forward pf-1';
      expect(wire(h.hub_(hubMessage(who, text, { seq })))).toEqual([
        {
          type: 'set_state',
          payload: { message_id: `msg-${seq}`, state: { state: 'failed', reason: 'port_forward_request_not_found: No pending port-forward request "pf-1" (already decided, closed, or never asked).', approval: null } },
        },
        { type: 'ack', seq },
      ]);
    }
    expect(h.state.queue.length).toBe(0);
    expect(h.state.turn.status).toBe('idle');
    expect(only(h.effects, 'start_turn')).toEqual([]);
  });

  it('marks the message with the outcome the review decides', () => {
    const h = new Harness({ previews: PREVIEWS });
    h.hub_(hubMessage(BOB, '/pilothouse forward 3000', { seq: 3 }));
    expect(h.hub.lastState('msg-3')).toEqual({ state: 'failed', reason: 'sender_not_allowed: bob may not decide port forwards (alice can).' });
    h.hub_(hubMessage(ALICE, '/pilothouse forward 3000', { seq: 4 }));
    expect(h.hub.lastState('msg-4')).toEqual({ state: 'processed', reason: 'port 3000 approved' });
  });

  it('keeps steering for everything else, and a command does not jump the queue', () => {
    const h = new Harness({ previews: PREVIEWS });
    h.hub_(hubMessage(ALICE, 'start the dev server', { seq: 3 }));
    h.hub_(hubMessage(ALICE, 'then run the tests', { seq: 4 }));
    const effects = h.hub_(hubMessage(ALICE, '/pilothouse forward 5173', { seq: 5 }));
    expect(only(effects, 'preview_open')).toHaveLength(1);
    expect(h.hub.lastState('msg-5')).toEqual({ state: 'processed', reason: 'port 5173 approved' });
    expect(h.state.queue.length).toBe(1);
    // The cursor stays below the queued message: a restart replays it, not the command.
    expect(only(effects, 'ack')).toEqual([]);
    expect(h.hub.lastState('msg-4')).toEqual({ state: 'queued', reason: null });
  });

  it('recognises the prefix only at the start, as a whole word', () => {
    expect(isChatCommand('/pilothouse forward 3000')).toBe(true);
    expect(isChatCommand('  /PILOTHOUSE\napprove-port-forward x')).toBe(true);
    expect(isChatCommand('/pilothouse')).toBe(true);
    expect(isChatCommand('/pilothousex forward')).toBe(false);
    expect(isChatCommand('please run /pilothouse forward 3000')).toBe(false);
    expect(isChatCommand('pilothouse forward 3000')).toBe(false);
  });
});
