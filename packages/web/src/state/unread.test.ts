import { describe, expect, it } from 'vitest';
import { isChannelUnread, isThreadUnread, markThreadSeen, withBaseline } from './unread.js';
import { msg } from '../../test/state-fixtures.js';

const t = (id: string, last_seq: number) => ({ root: msg(id, 1, { thread_id: id }), reply_count: 0, last_seq });

describe('unread markers', () => {
  it('takes a baseline on first load, then marks threads with newer messages until opened', () => {
    const seen = withBaseline({}, 'acme/agents', [t('a', 4), t('b', 7)]);
    expect(withBaseline(seen, 'acme/agents', [t('a', 40)])).toBe(seen);
    expect(isChannelUnread(seen, 'acme/agents', [t('a', 4), t('b', 7)])).toBe(false);
    const later = [t('a', 4), t('b', 9)];
    expect(isThreadUnread(seen, 'acme/agents', later[1]!)).toBe(true);
    expect(isChannelUnread(seen, 'acme/agents', later)).toBe(true);
    const read = markThreadSeen(seen, 'b', 9);
    expect(isChannelUnread(read, 'acme/agents', later)).toBe(false);
    expect(markThreadSeen(read, 'b', 8)).toBe(read);
  });
});
