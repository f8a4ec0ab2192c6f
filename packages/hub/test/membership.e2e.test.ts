// Authorization after the join: a member removed from a channel by the admin CLI (another process,
// same store) loses the channel — the next push is refused with not_member and the join is closed
// with phx_close; without any push, the periodic re-check closes it. The hub keeps serving others.

import { execFile } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Socket } from 'phoenix';
import { codeOf, connect, join, push } from './phx.js';
import { CLI, cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';

let seeded: Seeded;
/** Re-checks every 200 ms, so a removal without pushes shows within the test. */
let hub: HubProcess;
/** The default 10 s re-check: only a push can notice a removal within the test. */
let slowHub: HubProcess;
const sockets: Socket[] = [];
const open = (who: string, on: HubProcess = hub) => {
  const s = connect(on.url, seeded.tokens[who]!);
  sockets.push(s);
  return s;
};

function cli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args, '--data', seeded.dataDir], (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
  });
}

/** Resolves when the hub ends the join (phx_close), the only way a joined channel closes here. */
const closed = (ch: Channel) => new Promise<void>((resolve) => ch.onClose(() => resolve()));

beforeAll(async () => {
  seeded = await seed(['alice', 'bob', 'carol', 'dave']);
  [hub, slowHub] = await Promise.all([startHubProcess(seeded.dataDir, { args: ['--membership-check-ms', '200'] }), startHubProcess(seeded.dataDir)]);
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await Promise.all([hub.stop(), slowHub.stop()]);
  cleanupDir(seeded.dataDir);
});

describe('membership after the join', () => {
  it('a removed member is closed out of the channel, pushing or not; others are unaffected', async () => {
    await cli(['member', 'add', 'acme/agents', 'carol']);
    const carol = open('carol').channel('channel:acme/agents', {});
    await join(carol);
    const alice = open('alice').channel('channel:acme/agents', {});
    await join(alice);
    await push(carol, 'post_message', { client_id: 'c1', body: 'hi from carol' });

    const carolClosed = closed(carol);
    expect(await cli(['member', 'remove', 'acme/agents', 'carol'])).toBe('removed carol from acme/agents\n');
    await carolClosed;
    // A new join is refused; alice is still served.
    expect(await codeOf(join(open('carol').channel('channel:acme/agents', {})))).toBe('not_member');
    expect(await push(alice, 'post_message', { client_id: 'a1', body: 'still here' })).toMatchObject({ seq: expect.any(Number) });
  });

  it('the first push after a removal is refused with not_member and ends the join', async () => {
    // Dave has never pushed: no cached answer, the push asks the store.
    await cli(['member', 'add', 'acme/agents', 'dave']);
    const dave = open('dave', slowHub).channel('channel:acme/agents', {});
    await join(dave);
    const daveClosed = closed(dave);
    await cli(['member', 'remove', 'acme/agents', 'dave']);
    expect(await codeOf(push(dave, 'post_message', { client_id: 'd1', body: 'after removal' }))).toBe('not_member');
    await daveClosed;
    const alice = open('alice', slowHub).channel('channel:acme/agents', {});
    await join(alice);
    const listed = (await push(alice, 'list_threads', {})) as { threads: { root: { body: string } }[] };
    expect(listed.threads.map((t) => t.root.body)).not.toContain('after removal');
  });
});
