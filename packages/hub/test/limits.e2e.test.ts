// Issue 11, findings 2 and 9, against a real hub process: sockets that never read while they replay
// megabytes of history, big threads and bodies, too many sockets, and logged-in floods (joins,
// posts, reads). Each holds: memory stays bounded, everyone else keeps being answered, floods get
// `rate_limited` with retry_after_ms, refusals are audited once per window, and no data is lost.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { BODY_CLIP } from '@pilothouse/protocol';
import { Store } from '../src/store/store.js';
import { cleanupDir, seed, startHubProcess, type HubProcess, type Seeded } from './hub-process.js';
import { connect, join, push } from './phx.js';

const MiB = 1024 * 1024;

/** VmRSS / VmHWM (peak) of a process, in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

type Reply = { status: 'ok' | 'error'; response: Record<string, unknown> & { code?: string; details?: { retry_after_ms?: number } } };

/** A raw Phoenix V2 socket: frames in order, replies by ref, and a way to stop reading altogether. */
async function rawSocket(hub: HubProcess, token: string) {
  const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/socket/websocket?vsn=2.0.0&token=${token}`);
  const replies = new Map<string, (r: Reply) => void>();
  const events: unknown[][] = [];
  ws.on('message', (data: Buffer) => {
    const f = JSON.parse(data.toString()) as [string | null, string | null, string, string, unknown];
    if (f[3] === 'phx_reply' && f[1] !== null) replies.get(f[1])?.(f[4] as Reply);
    else events.push(f);
  });
  await new Promise((res, rej) => {
    ws.once('open', res);
    ws.once('error', rej);
  });
  let ref = 0;
  const send = (topic: string, event: string, payload: unknown, joinRef: string | null = '1'): Promise<Reply> => {
    const r = String(++ref);
    const p = new Promise<Reply>((resolve) => replies.set(r, resolve));
    ws.send(JSON.stringify([joinRef, r, topic, event, payload]));
    return p;
  };
  const tcp = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  return { ws, events, send, pause: () => tcp.pause(), resume: () => tcp.resume() };
}

/** The upgrade's HTTP refusal (status and JSON body), or 'open'. */
function upgradeOutcome(hub: HubProcess, token: string): Promise<{ status: number; body: { code?: string } } | 'open'> {
  const ws = new WebSocket(`${hub.url.replace('http', 'ws')}/socket/websocket?vsn=2.0.0&token=${token}`);
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { code?: string } }));
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

describe('slow readers and big reads (finding 2)', () => {
  let seeded: Seeded;
  let hub: HubProcess;
  let threadId: string;
  let bigId: string;
  let bigBody: string;
  let headSeq: number;
  const HISTORY = 24 * MiB;

  beforeAll(async () => {
    seeded = await seed(['alice', 'bob', 'carol', 'dave']);
    const store = await Store.open({ kind: 'sqlite', dataDir: seeded.dataDir });
    try {
      const channel = (await store.channelByRef({ workspace: 'acme', channel: 'agents' }))!;
      for (const name of ['carol', 'dave']) await store.addMember(channel.id, seeded.users[name]!);
      const alice = { userId: seeded.users.alice!, name: 'alice', runnerId: null };
      // The history: 48 messages of 512 KiB.
      const chunk = 'h'.repeat(512 * 1024);
      for (let i = 0; i < HISTORY / chunk.length; i++) await store.postMessage(channel.id, alice, { client_id: `h${i}`, body: chunk, kind: 'text' });
      // A thread of 450 messages, one of them a 1.5 MB streamed row (a body plus appends).
      // A session thread: its root posted by the runner that streams into it (the binding rule).
      const runner = { userId: seeded.users.alice!, name: 'alice', runnerId: 'r1' };
      const root = await store.postMessage(channel.id, runner, { client_id: 'root', body: 'root', kind: 'session' });
      threadId = root.thread_id;
      const big = await store.postMessage(channel.id, runner, { client_id: 'big', thread_id: threadId, item_key: 'big', kind: 'text', body: 'B'.repeat(300_000), status: 'streaming' });
      bigId = big.message_id;
      bigBody = 'B'.repeat(300_000);
      for (let i = 0; i < 4; i++) {
        const text = `${i}😀`.repeat(100_000);
        await store.appendRow(channel.id, runner, { item_key: 'big', offset: bigBody.length, text });
        bigBody += text;
      }
      for (let i = 0; i < 448; i++) await store.postMessage(channel.id, alice, { client_id: `t${i}`, thread_id: threadId, body: `reply ${i}`, kind: 'text' });
      headSeq = await store.headSeq(channel.id);
    } finally {
      await store.close();
    }
    hub = await startHubProcess(seeded.dataDir);
  }, 60_000);
  afterAll(async () => {
    await hub.stop();
    cleanupDir(seeded.dataDir);
  });

  it('30 sockets that join since 0 and never read keep the hub bounded; others are answered; a resumed reader gets every event', async () => {
    const before = memoryOf(hub.child.pid!);
    const observer = connect(hub.url, seeded.tokens.bob!);
    const och = observer.channel('channel:acme/agents', {});
    await join(och);

    // Three users, ten sockets each (the per-user cap is 32): each joins since 0 and stops reading.
    const readers = [];
    for (const name of ['alice', 'carol', 'dave']) {
      for (let i = 0; i < 10; i++) {
        const r = await rawSocket(hub, seeded.tokens[name]!);
        r.pause();
        void r.send('channel:acme/agents', 'phx_join', { since: 0 });
        readers.push(r);
      }
    }
    // The observer keeps being answered meanwhile (writes and paged reads).
    for (let i = 0; i < 30; i++) {
      await push(och, 'post_message', { client_id: `obs-${i}`, body: `still here ${i}` });
      const list = (await push(och, 'list_threads', { limit: 5 })) as { threads: unknown[] };
      expect(list.threads).toHaveLength(5);
    }
    const during = memoryOf(hub.child.pid!);
    // Unbounded, 30 × 24 MiB of frames would be queued; bounded, about a page per socket.
    expect(during.peak - before.rss).toBeLessThan(160 * MiB);

    // One reader resumes: it receives the join reply and every event up to the head, once, in order.
    const r = readers[0]!;
    r.resume();
    const seqs: number[] = [];
    await new Promise<void>((resolve) => {
      const check = () => {
        seqs.length = 0;
        for (const f of r.events) if (f[2] === 'channel:acme/agents' && typeof (f[4] as { seq?: unknown }).seq === 'number') seqs.push((f[4] as { seq: number }).seq);
        if (seqs.length > 0 && seqs[seqs.length - 1]! >= headSeq + 30) resolve();
        else r.ws.once('message', check);
      };
      check();
    });
    expect(seqs).toEqual(Array.from({ length: headSeq + 30 }, (_, i) => i + 1));
    for (const x of readers) x.ws.terminate();
    observer.disconnect();
  }, 60_000);

  it('get_thread pages by count and size; a big body comes clipped and get_body fetches the rest exactly', async () => {
    const s = connect(hub.url, seeded.tokens.bob!);
    const ch = s.channel('channel:acme/agents', {});
    await join(ch);
    type Page = { messages: { id: string; seq: number; body: string }[]; clipped: { message_id: string; length: number }[]; next: number | null; complete: boolean };
    const pages: Page[] = [];
    let after: number | undefined;
    for (;;) {
      const page = (await push(ch, 'get_thread', { thread_id: threadId, ...(after !== undefined ? { after_seq: after } : {}) })) as Page;
      pages.push(page);
      if (page.complete) break;
      after = page.next!;
    }
    const messages = pages.flatMap((p) => p.messages);
    expect(messages).toHaveLength(450);
    expect(messages.map((m) => m.seq)).toEqual([...messages.map((m) => m.seq)].sort((a, b) => a - b));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.map((p) => p.next === null)).toEqual(pages.map((_, i) => i === pages.length - 1));
    const big = messages.find((m) => m.id === bigId)!;
    expect(big.body).toBe(bigBody.slice(0, BODY_CLIP));
    expect(pages.flatMap((p) => p.clipped)).toEqual([{ message_id: bigId, length: bigBody.length }]);

    let body = '';
    for (;;) {
      const slice = (await push(ch, 'get_body', { message_id: bigId, offset: body.length, limit: 200_001 })) as { text: string; length: number; complete: boolean };
      body += slice.text;
      expect(slice.length).toBe(bigBody.length);
      if (slice.complete) break;
    }
    expect(body).toBe(bigBody);
    s.disconnect();
  }, 30_000);

  it('a user may hold 32 sockets; the 33rd upgrade is refused with 429 too_many_sockets; closing one frees a slot', async () => {
    const sockets: Awaited<ReturnType<typeof rawSocket>>[] = [];
    for (let i = 0; i < 32; i++) sockets.push(await rawSocket(hub, seeded.tokens.bob!));
    expect(await upgradeOutcome(hub, seeded.tokens.bob!)).toEqual({ status: 429, body: expect.objectContaining({ code: 'too_many_sockets' }) });
    // Another user is not affected.
    expect(await upgradeOutcome(hub, seeded.tokens.carol!)).toBe('open');
    const closed = new Promise((r) => sockets[0]!.ws.once('close', r));
    sockets[0]!.ws.close();
    await closed;
    let outcome = await upgradeOutcome(hub, seeded.tokens.bob!);
    // The hub learns of the close when its side of the socket ends; retry until it has.
    while (outcome !== 'open') outcome = await upgradeOutcome(hub, seeded.tokens.bob!);
    expect(outcome).toBe('open');
    for (const s of sockets) s.ws.terminate();
  }, 30_000);
});

describe('logged-in floods (finding 9)', () => {
  let seeded: Seeded;
  let hub: HubProcess;
  let threadId: string;

  beforeAll(async () => {
    seeded = await seed(['alice', 'bob', 'mallory']);
    const store = await Store.open({ kind: 'sqlite', dataDir: seeded.dataDir });
    try {
      const channel = (await store.channelByRef({ workspace: 'acme', channel: 'agents' }))!;
      await store.addMember(channel.id, seeded.users.mallory!);
      const alice = { userId: seeded.users.alice!, name: 'alice', runnerId: null };
      const root = await store.postMessage(channel.id, alice, { client_id: 'root', body: 'root', kind: 'text' });
      threadId = root.thread_id;
      for (let i = 0; i < 199; i++) await store.postMessage(channel.id, alice, { client_id: `r${i}`, thread_id: threadId, body: `reply ${i} `.repeat(200), kind: 'text' });
    } finally {
      await store.close();
    }
    hub = await startHubProcess(seeded.dataDir);
  }, 60_000);
  afterAll(async () => {
    await hub.stop();
    cleanupDir(seeded.dataDir);
  });

  it('another user is answered while one floods get_thread: behind a turn of the flood, not all of it', async () => {
    const m = await rawSocket(hub, seeded.tokens.mallory!);
    expect((await m.send('channel:acme/agents', 'phx_join', {})).status).toBe('ok');
    const b = await rawSocket(hub, seeded.tokens.bob!);
    expect((await b.send('channel:acme/agents', 'phx_join', {})).status).toBe('ok');
    let answered = 0;
    const flood = Array.from({ length: 2000 }, () =>
      m.send('channel:acme/agents', 'get_thread', { thread_id: threadId }).then((r) => {
        if (r.status === 'ok') answered++;
        return r;
      }),
    );
    const bobs = await b.send('channel:acme/agents', 'get_thread', { thread_id: threadId });
    expect(bobs.status).toBe('ok');
    const servedBeforeBob = answered;
    const replies = await Promise.all(flood);
    const ok = replies.filter((r) => r.status === 'ok').length;
    const limited = replies.filter((r) => r.status === 'error');
    // The flood is cut off after its burst, with the time to wait...
    expect(limited.length).toBeGreaterThan(1000);
    expect(limited.every((r) => r.response.code === 'rate_limited' && (r.response.details?.retry_after_ms ?? 0) > 0)).toBe(true);
    // ...and bob waited behind a few of mallory's reads, not the hundreds she had queued.
    expect(ok).toBeGreaterThanOrEqual(64);
    expect(servedBeforeBob).toBeLessThan(20);
    m.ws.terminate();
    b.ws.terminate();
  }, 60_000);

  it('a flood of posts gets rate_limited with retry_after_ms; other users keep posting', async () => {
    const m = await rawSocket(hub, seeded.tokens.mallory!);
    expect((await m.send('channel:acme/agents', 'phx_join', {})).status).toBe('ok');
    const replies = await Promise.all(Array.from({ length: 3000 }, (_, i) => m.send('channel:acme/agents', 'post_message', { client_id: `flood-${i}`, body: 'spam' })));
    const ok = replies.filter((r) => r.status === 'ok').length;
    const limited = replies.filter((r) => r.status === 'error');
    expect(ok).toBeGreaterThanOrEqual(500);
    expect(ok).toBeLessThan(3000);
    expect(limited.every((r) => r.response.code === 'rate_limited' && (r.response.details?.retry_after_ms ?? 0) > 0)).toBe(true);
    const alice = connect(hub.url, seeded.tokens.alice!);
    const ach = alice.channel('channel:acme/agents', {});
    await join(ach);
    expect(await push(ach, 'post_message', { client_id: 'alice-1', body: 'hello' })).toMatchObject({ seq: expect.any(Number) });
    alice.disconnect();
    m.ws.terminate();
  }, 60_000);

  it('10,000 joins to missing channels: rate_limited after the burst, and a handful of audit rows with the count', async () => {
    const m = await rawSocket(hub, seeded.tokens.mallory!);
    const replies = await Promise.all(Array.from({ length: 10_000 }, (_, i) => m.send(`channel:acme/missing-${i % 50}`, 'phx_join', {}, String(i))));
    const codes = new Map<string, number>();
    for (const r of replies) codes.set(r.response.code ?? 'ok', (codes.get(r.response.code ?? 'ok') ?? 0) + 1);
    expect(codes.get('ok')).toBeUndefined();
    expect(codes.get('channel_not_found')).toBeGreaterThanOrEqual(100);
    expect(codes.get('rate_limited')).toBeGreaterThan(9000);
    m.ws.terminate();
    // Coalesced rows are written when their window ends, and at shutdown.
    await hub.stop();
    const store = await Store.open({ kind: 'sqlite', dataDir: seeded.dataDir });
    try {
      const rows = (await store.listAudit({ limit: 100 })).filter((r) => r.actor_name === 'mallory' && r.action === 'join_refused');
      expect(rows).toHaveLength(2);
      // The first refusal is a row of its own; the second counts the repeats.
      const total = rows.reduce((n, r) => n + ((r.detail as { repeated?: number }).repeated ?? 1), 0);
      expect(total).toBe(codes.get('channel_not_found'));
    } finally {
      await store.close();
    }
    hub = await startHubProcess(seeded.dataDir);
  }, 60_000);
});
