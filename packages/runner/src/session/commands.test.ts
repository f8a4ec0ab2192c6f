// `/pilothouse …` messages in the session thread: commands for the runner, never agent turns.
import { describe, expect, it } from 'vitest';
import { isChatCommand } from './hub-events.js';
import { ALICE, BOB, Harness, hubMessage, only, wire } from '../../test/session-fixtures.js';

describe('chat commands', () => {
  it('hands a command to the shell, from anyone, without queueing it for Codex', () => {
    const h = new Harness();
    for (const [who, seq] of [[ALICE, 3], [BOB, 4]] as const) {
      const text = '/pilothouse approve-port-forward pf-1';
      expect(wire(h.hub_(hubMessage(who, text, { seq })))).toEqual([
        { type: 'chat_command', message_id: `msg-${seq}`, text, actor: who },
        { type: 'ack', seq },
      ]);
    }
    expect(h.state.queue.length).toBe(0);
    expect(h.state.turn.status).toBe('idle');
    expect(only(h.effects, 'start_turn')).toEqual([]);
  });

  it('marks the message with the outcome the shell reports', () => {
    const h = new Harness();
    h.hub_(hubMessage(BOB, '/pilothouse deny-port-forward pf-1', { seq: 3 }));
    h.hub_(hubMessage(ALICE, '/pilothouse forward 3000', { seq: 4 }));
    expect(wire(h.feed({ type: 'command_done', message_id: 'msg-3', error: 'sender_not_allowed: bob may not decide port forwards (alice can)', note: null }))).toEqual([
      { type: 'set_state', payload: { message_id: 'msg-3', state: { state: 'failed', reason: 'sender_not_allowed: bob may not decide port forwards (alice can)', approval: null } } },
    ]);
    h.feed({ type: 'command_done', message_id: 'msg-4', error: null, note: 'port 3000 forwarded' });
    expect(h.hub.lastState('msg-4')).toEqual({ state: 'processed', reason: 'port 3000 forwarded' });
  });

  it('keeps steering for everything else, and a command does not jump the queue', () => {
    const h = new Harness();
    h.hub_(hubMessage(ALICE, 'start the dev server', { seq: 3 }));
    h.hub_(hubMessage(ALICE, 'then run the tests', { seq: 4 }));
    const effects = h.hub_(hubMessage(ALICE, '/pilothouse forward 5173', { seq: 5 }));
    expect(only(effects, 'chat_command')).toHaveLength(1);
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
