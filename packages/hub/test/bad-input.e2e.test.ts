// The bad-input catalogue against a real hub process: each case gets an error reply with its code,
// is logged once, and the same socket and every other socket keep being served.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EventLog, connect, join, push } from './phx.js';
import { cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';

let seeded: Seeded;
let hub: HubProcess;

beforeAll(async () => {
  seeded = await seed();
  hub = await startHubProcess(seeded.dataDir, { args: ['--max-frame-bytes', '65536'] });
});
afterAll(async () => {
  await hub.stop();
  cleanupDir(seeded.dataDir);
});

/** A raw socket that hands out frames as they arrive. */
async function raw(token: string) {
  const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/socket/websocket?vsn=2.0.0&token=${token}`);
  const frames: unknown[][] = [];
  let waiters: { pred: (f: unknown[]) => boolean; resolve: (f: unknown[]) => void }[] = [];
  ws.on('message', (data: Buffer) => {
    const f = JSON.parse(data.toString()) as unknown[];
    frames.push(f);
    waiters = waiters.filter((w) => (w.pred(f) ? (w.resolve(f), false) : true));
  });
  await new Promise((res, rej) => {
    ws.once('open', res);
    ws.once('error', rej);
  });
  const next = (pred: (f: unknown[]) => boolean) => {
    const seen = frames.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise<unknown[]>((resolve) => waiters.push({ pred, resolve }));
  };
  const reply = (ref: string) => next((f) => f[1] === ref && f[3] === 'phx_reply') as Promise<[string | null, string, string, string, { status: string; response: { code?: string } }]>;
  return { ws, frames, next, reply, send: (text: string | Buffer) => ws.send(text) };
}

describe('bad input', () => {
  it('each malformed or unauthorized frame gets its error code; the socket and the hub keep serving', async () => {
    const bystander = connect(hub.url, seeded.tokens.bob!);
    const bch = bystander.channel('channel:acme/agents', {});
    await join(bch);
    const seen = new EventLog(bch, ['message']);

    const c = await raw(seeded.tokens.alice!);
    const errorOf = (f: unknown[]) => (f[4] as { status: string; response: { code: string } }).response.code;
    const heartbeatStillAnswers = async (ref: string) => {
      c.send(JSON.stringify([null, ref, 'phoenix', 'heartbeat', {}]));
      expect((await c.reply(ref))[4].status).toBe('ok');
    };

    c.send('{not json');
    expect(errorOf(await c.next((f) => f[2] === 'phoenix' && f[3] === 'phx_reply'))).toBe('malformed_frame');
    await heartbeatStillAnswers('h1');

    c.send(JSON.stringify(['1', '2', 'channel:acme/agents']));
    expect(errorOf(await c.reply('2'))).toBe('malformed_frame');
    await heartbeatStillAnswers('h2');

    c.send(JSON.stringify(['3', '3', 'rooms:x', 'phx_join', {}]));
    expect(errorOf(await c.reply('3'))).toBe('unknown_topic');

    c.send(JSON.stringify(['4', '4', 'channel:acme/agents', 'post_message', { client_id: 'x', body: 'y' }]));
    expect(errorOf(await c.reply('4'))).toBe('not_joined');

    c.send(JSON.stringify(['5', '5', 'channel:acme/private', 'phx_join', {}]));
    expect((await c.reply('5'))[4].status).toBe('ok');
    c.send(JSON.stringify(['5', '6', 'channel:acme/private', 'self_destruct', {}]));
    expect(errorOf(await c.reply('6'))).toBe('unknown_event');
    c.send(JSON.stringify(['5', '7', 'channel:acme/private', 'post_message', { client_id: 42, body: '' }]));
    const schema = await c.reply('7');
    expect(schema[4].response.code).toBe('invalid_payload');
    expect(JSON.stringify(schema[4].response)).toMatch(/client_id/);
    c.send(JSON.stringify(['5', '8', 'channel:acme/private', 'post_message', { client_id: 'big', body: 'x'.repeat(100_000) }]));
    expect(errorOf(await c.reply('8'))).toBe('frame_too_large');
    const socketLevelErrors = () => c.frames.filter((f) => f[2] === 'phoenix' && f[3] === 'phx_reply' && errorOf(f) === 'malformed_frame');
    c.send(Buffer.from([1, 2, 3]));
    await c.next(() => socketLevelErrors().length === 2);
    await heartbeatStillAnswers('h3');

    const bobRaw = await raw(seeded.tokens.bob!);
    bobRaw.send(JSON.stringify(['9', '9', 'channel:acme/private', 'phx_join', {}]));
    expect(errorOf(await bobRaw.reply('9'))).toBe('not_member');

    // the same socket still posts, and the bystander still receives
    c.send(JSON.stringify(['10', '10', 'channel:acme/agents', 'phx_join', {}]));
    expect((await c.reply('10'))[4].status).toBe('ok');
    c.send(JSON.stringify(['10', '11', 'channel:acme/agents', 'post_message', { client_id: 'after-all-that', body: 'still here' }]));
    expect((await c.reply('11'))[4].status).toBe('ok');
    await seen.until(() => seen.events.some((e) => (e.payload.message as { body: string }).body === 'still here'));
    expect(await push(bch, 'post_message', { client_id: 'bob-ok', body: 'me too' })).toMatchObject({ seq: expect.any(Number) });

    // each refusal was logged once
    for (const code of ['unknown_topic', 'not_joined', 'unknown_event', 'invalid_payload', 'frame_too_large', 'not_member']) {
      await hub.waitForLog((l) => l.includes(`"code":"${code}"`));
      expect(hub.stderr.filter((l) => l.includes(`"code":"${code}"`))).toHaveLength(1);
    }
    c.ws.close();
    bobRaw.ws.close();
    bystander.disconnect();
  });

  it('a bad token is refused at the upgrade with 401; HTTP errors carry codes', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/socket/websocket?vsn=2.0.0&token=ph_forged`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
    });
    expect(status).toBe(401);

    const health = await fetch(`${hub.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { ok: true }]);
    const wrong = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'alice', password: 'nope' }) });
    expect([wrong.status, ((await wrong.json()) as { code: string }).code]).toEqual([401, 'unauthorized']);
    const badJson = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect([badJson.status, ((await badJson.json()) as { code: string }).code]).toEqual([400, 'bad_request']);
    const huge = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'a', password: 'x'.repeat(2 * 1024 * 1024) }) });
    expect([huge.status, ((await huge.json()) as { code: string }).code]).toEqual([413, 'frame_too_large']);
    const missing = await fetch(`${hub.url}/api/me`);
    expect(missing.status).toBe(401);

    const ok = await fetch(`${hub.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Alice', password: 'pw' }) });
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/ph_session=.+; HttpOnly; SameSite=Lax/);
    const me = await fetch(`${hub.url}/api/me`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(await me.json()).toMatchObject({ user: { name: 'alice', admin: true }, channels: [{ workspace: 'acme', name: 'agents' }, { workspace: 'acme', name: 'private' }] });
    // the cookie also opens a socket from the hub's own origin, not from another site
    const cookieSocket = (origin: string) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/socket/websocket?vsn=2.0.0`, { headers: { cookie: cookie.split(';')[0]!, origin } });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
      });
    expect(await cookieSocket(hub.url)).toBe(101);
    expect(await cookieSocket('http://evil.example')).toBe(401);
  });
});
