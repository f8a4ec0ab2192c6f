import { describe, expect, it } from 'vitest';
import { ALICE, BOB, machine, machineSession, msg, row } from '../../test/state-fixtures.js';
import { emptyMachines, endChoices, endingText, machineKey, machinesStep, refusalFiles, sessionForThread, sortMachines, turnSignal } from './machines.js';

const CAROL = { user_id: 'u-carol', name: 'carol' };

describe('machines list', () => {
  it('sorts online machines first, then by name', () => {
    const list = sortMachines([machine({ name: 'zeta' }), machine({ name: 'alpha', online: false }), machine({ name: 'beta' }), machine({ name: 'Alpha2', online: false })]);
    expect(list.map((m) => `${m.name}:${m.online}`)).toEqual(['beta:true', 'zeta:true', 'alpha:false', 'Alpha2:false']);
  });

  it('takes the whole list from each event and from a reply', () => {
    const a = machinesStep(emptyMachines, { type: 'reply', machines: [machine({ name: 'b' }), machine({ name: 'a' })], eventsAtRequest: 0 });
    expect(a).toEqual({ loaded: true, events: 0, list: [machine({ name: 'a' }), machine({ name: 'b' })] });
    const b = machinesStep(a, { type: 'event', machines: [machine({ name: 'c', online: false })] });
    expect(b).toEqual({ loaded: true, events: 1, list: [machine({ name: 'c', online: false })] });
  });

  it('drops a reply older than an event that arrived while it travelled', () => {
    const afterEvent = machinesStep(emptyMachines, { type: 'event', machines: [machine({ name: 'new' })] });
    expect(machinesStep(afterEvent, { type: 'reply', machines: [machine({ name: 'old' })], eventsAtRequest: 0 })).toBe(afterEvent);
    expect(machinesStep(afterEvent, { type: 'reply', machines: [machine({ name: 'newer' })], eventsAtRequest: 1 }).list.map((m) => m.name)).toEqual(['newer']);
  });

  it('shows a session a start or end reply returned, before the event', () => {
    const listed = machinesStep(emptyMachines, { type: 'event', machines: [machine({ sessions: [machineSession()] }), machine({ name: 'desk', owner: BOB })] });
    const ended = machineSession({ state: 'ended', ending: 'kept' });
    const afterEnd = machinesStep(listed, { type: 'ended', owner_id: 'u-alice', machine: 'laptop', session: ended });
    expect(afterEnd.list[1]!.sessions).toEqual([ended]);
    expect(afterEnd.list[0]).toBe(listed.list[0]);
    const started = machineSession({ session_id: 's2', thread_id: 't2', state: 'starting' });
    const afterStart = machinesStep(afterEnd, { type: 'started', owner_id: 'u-alice', machine: 'laptop', session: started });
    expect(afterStart.list[1]!.sessions).toEqual([ended, started]);
    // An event that already brought the started session (running by now) is newer than the start reply.
    const running = { ...started, state: 'running' as const };
    const evented = machinesStep(afterEnd, { type: 'event', machines: [machine({ sessions: [ended, running] })] });
    expect(machinesStep(evented, { type: 'started', owner_id: 'u-alice', machine: 'laptop', session: started }).list[0]!.sessions).toEqual([ended, running]);
    // Another owner's machine of the same name is not it.
    expect(machinesStep(listed, { type: 'started', owner_id: 'u-bob', machine: 'laptop', session: started })).toEqual(listed);
  });

  it('keys a machine by its owner and name', () => {
    expect(machineKey(machine({ owner: BOB }))).toBe('u-bob/laptop');
  });
});

describe('sessionForThread', () => {
  const s1 = machineSession({ session_id: 's1', thread_id: 't1' });
  const s2 = machineSession({ session_id: 's2', thread_id: 't2' });
  const opening = machineSession({ session_id: 's3', thread_id: null });
  const machines = [machine({ name: 'a', sessions: [s1, opening] }), machine({ name: 'b', sessions: [s2] })];

  it('finds the machine and session of a thread', () => {
    expect(sessionForThread(machines, 't2')).toEqual({ machine: machines[1], session: s2 });
    expect(sessionForThread(machines, 't1')?.session.session_id).toBe('s1');
  });

  it('is null for any other thread', () => {
    expect(sessionForThread(machines, 't9')).toBeNull();
    expect(sessionForThread([], 't1')).toBeNull();
  });
});

describe('ending a session', () => {
  it('offers stop while it runs, and merge and discard only for a worktree', () => {
    expect(endChoices(machineSession(), ALICE)).toEqual(['stop', 'keep', 'merge', 'discard']);
    expect(endChoices(machineSession({ state: 'stopped' }), ALICE)).toEqual(['keep', 'merge', 'discard']);
    expect(endChoices(machineSession({ worktree: null, branch: null }), ALICE)).toEqual(['stop', 'keep']);
  });

  it('offers nothing to people not allowed, or once it ended', () => {
    expect(endChoices(machineSession(), BOB)).toEqual([]);
    expect(endChoices(machineSession({ allowed: ['alice', 'carol'] }), CAROL)).toEqual(['stop', 'keep', 'merge', 'discard']);
    expect(endChoices(machineSession({ state: 'ended', ending: 'kept' }), ALICE)).toEqual([]);
  });

  it('says how it ended', () => {
    expect(endingText(machineSession())).toBeNull();
    expect(endingText(machineSession({ state: 'ended', ending: 'merged' }))).toBe('Merged into main.');
    expect(endingText(machineSession({ state: 'ended', ending: 'kept' }))).toBe('Kept on pilothouse/fix-login.');
    expect(endingText(machineSession({ state: 'ended', ending: 'discarded', detail: 'by alice' }))).toBe('Discarded: its worktree and branch are gone. by alice');
    expect(endingText(machineSession({ state: 'failed', detail: 'codex exited' }))).toBe('Failed: codex exited');
  });

  it('reads the conflicting files of a refusal', () => {
    expect(refusalFiles({ files: ['a.ts', 'b.ts'] })).toEqual(['a.ts', 'b.ts']);
    expect(refusalFiles(undefined)).toEqual([]);
    expect(refusalFiles({ files: 'a.ts' })).toEqual([]);
  });
});

describe('turnSignal', () => {
  it('moves when a turn ends or a changing row finishes, not while rows stream', () => {
    const running = [msg('t1', 1, { runner_id: 'r1', kind: 'session' }), msg('m1', 2, { state: { state: 'processing' } }), row('a', 3), row('c', 4, '', { kind: 'command' })];
    const base = turnSignal(running);
    expect(base).toBe(0);
    const commandDone = running.map((m) => (m.id === 'c' ? { ...m, status: 'completed' as const } : m));
    expect(turnSignal(commandDone)).toBe(1);
    const reasoningDone = [...running, row('r', 5, '', { kind: 'reasoning', status: 'completed' })];
    expect(turnSignal(reasoningDone)).toBe(0);
    const turnDone = commandDone.map((m) => (m.id === 'm1' ? { ...m, state: { state: 'processed' as const } } : m.id === 'a' ? { ...m, status: 'completed' as const } : m));
    expect(turnSignal(turnDone)).toBe(3);
    expect(turnSignal([...turnDone, msg('m2', 6, { state: { state: 'ignored' } })])).toBe(3);
  });
});
