import { describe, expect, it } from 'vitest';
import { admit, eventsAbove, heldEvents, holdEvent, nothingHeld, type Held } from './seq-gate.js';

describe('admit', () => {
  it('takes a seq above the view once, counts the seqs it skips, and calls the rest repeats', () => {
    expect(admit(4, 5)).toEqual({ type: 'new', gap: 0 });
    expect(admit(4, 8)).toEqual({ type: 'new', gap: 3 });
    expect(admit(4, 4)).toEqual({ type: 'repeat' });
    expect(admit(4, 1)).toEqual({ type: 'repeat' });
  });

  it('takes anything, without a gap, when nothing is known yet', () => {
    expect(admit(null, 1)).toEqual({ type: 'new', gap: 0 });
    expect(admit(null, 90)).toEqual({ type: 'new', gap: 0 });
  });
});

describe('eventsAbove', () => {
  const seqOf = (e: { seq: number }) => e.seq;

  it('keeps the events above the head once each, in order, and says where the view then is', () => {
    const events = [{ seq: 2 }, { seq: 3 }, { seq: 4 }, { seq: 4 }, { seq: 3 }, { seq: 6 }];
    expect(eventsAbove(3, events, seqOf)).toEqual({ through: 6, events: [{ seq: 4 }, { seq: 6 }] });
  });

  it('leaves the view where it was when every event is a repeat', () => {
    expect(eventsAbove(9, [{ seq: 1 }, { seq: 9 }], seqOf)).toEqual({ through: 9, events: [] });
  });
});

describe('holdEvent', () => {
  const holdAll = (events: string[], max: number, start: Held<string> = nothingHeld) =>
    events.reduce((held, e) => holdEvent(held, e, max, e.length), start);

  it('keeps events in arrival order, with their size', () => {
    const held = holdAll(['a', 'bb', 'c'], 10);
    expect(heldEvents(held)).toEqual(['a', 'bb', 'c']);
    expect(held).toMatchObject({ size: 4, overflowed: false });
  });

  it('counts one per event by default', () => {
    const held = ['x', 'y'].reduce<Held<string>>((h, e) => holdEvent(h, e, 2), nothingHeld);
    expect(heldEvents(held)).toEqual(['x', 'y']);
    expect(holdEvent(held, 'z', 2)).toEqual({ newest: null, size: 0, overflowed: true });
  });

  it('drops everything past the bound, and every later event too', () => {
    const full = holdAll(['aaa', 'bb'], 5);
    expect(full.size).toBe(5);
    const over = holdEvent(full, 'c', 5, 1);
    expect(over).toEqual({ newest: null, size: 0, overflowed: true });
    expect(holdEvent(over, 'd', 5, 1)).toBe(over);
  });

  it('never changes a Held another state still shares', () => {
    const base = holdAll(['a'], 10);
    const left = holdEvent(base, 'l', 10);
    const right = holdEvent(base, 'r', 10);
    expect(heldEvents(base)).toEqual(['a']);
    expect(heldEvents(left)).toEqual(['a', 'l']);
    expect(heldEvents(right)).toEqual(['a', 'r']);
  });
});
