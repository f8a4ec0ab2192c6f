// The hub SIGKILLed ≥ 50 times, every 0.3–1.5 s at random, while a real runner drives real Codex
// (against the scripted model) through turn after turn, on SQLite and on PostgreSQL. Each restart
// is a new process on the same port (hub-process.ts HubCycler); the runner and a watcher reconnect
// by themselves. At the end the thread equals an undisturbed run of the same turns: every turn's
// rows equal the calm first turn's, none doubled, none left streaming, every command ran once
// (a line each in runs.log), every acknowledged post is stored once with its seq, and the channel
// log is gap-free. Waits are on thread events and rejoins; the only timer is the kill schedule.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import pino from 'pino';
import type { Message } from '@pilothouse/protocol';
import { Store } from '@pilothouse/hub';
import { startScriptedModel } from '@pilothouse/scripted-model';
import { TrustStore, startRunner } from '@pilothouse/runner';
import { createCodexHome } from '@pilothouse/runner/testing';
import { connect, HubCycler, join as joinChannel, PG_URL, PushError, seed, seedStore, settle } from '@pilothouse/hub/testing';

const KILLS = Number(process.env.PILOTHOUSE_HUB_KILLS ?? 50);

interface Target {
  /** What the hub process is started with. */
  arg: string;
  open(): Promise<Store>;
  alice: string;
  drop(): Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const seeded = await seed(['alice']);
  return {
    arg: seeded.dataDir,
    open: () => Store.open({ kind: 'sqlite', dataDir: seeded.dataDir }),
    alice: seeded.tokens.alice!,
    drop: async () => rmSync(seeded.dataDir, { recursive: true, force: true }),
  };
}

async function postgresTarget(): Promise<Target> {
  const schema = `ph_kills_${randomBytes(5).toString('hex')}`;
  const open = () => Store.open({ kind: 'postgres', url: PG_URL, schema });
  const store = await open();
  const { tokens } = await seedStore(store, ['alice']).finally(() => store.close());
  return {
    arg: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    open,
    alice: tokens.alice!,
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

const rowView = (m: Message) => ({ kind: m.kind, body: m.body, status: m.status });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.each([
  ['sqlite', sqliteTarget],
  ['postgres', postgresTarget],
] as const)('hub SIGKILLed %s', (_name, makeTarget) => {
  it(`${KILLS} kills while the runner streams: the thread equals an undisturbed run`, async () => {
    const target = await makeTarget();
    cleanups.push(() => target.drop());
    const hub = new HubCycler(target.arg);
    cleanups.push(() => hub.close());
    await hub.start();
    const model = await startScriptedModel();
    cleanups.push(() => model.close());
    const codexHome = await createCodexHome({ modelUrl: model.url });
    cleanups.push(() => codexHome.remove());
    const home = mkdtempSync(join(tmpdir(), 'ph-kills-home-'));
    const workspace = mkdtempSync(join(tmpdir(), 'ph-kills-ws-'));
    cleanups.push(() => rmSync(home, { recursive: true, force: true }), () => rmSync(workspace, { recursive: true, force: true }));
    new TrustStore(home).add(workspace);

    const runner = await startRunner({
      hubUrl: hub.url,
      token: target.alice,
      channel: 'acme/agents',
      cwd: workspace,
      home,
      logger: pino({ level: 'silent' }),
      allow: [],
      runtime: {},
      streamFlushMs: 50,
      approvalTimeoutMs: null,
      resume: false,
      env: { ...process.env, ...codexHome.env },
    });
    cleanups.push(() => runner.close());

    // The watcher: every event or rejoin (after a restart) re-reads the thread from the store.
    const store = await target.open();
    cleanups.push(() => store.close());
    const channelId = (await store.channelByRef({ workspace: 'acme', channel: 'agents' }))!.id;
    const alice = connect(hub.url, target.alice, { reconnectMs: 50 });
    cleanups.push(() => alice.disconnect());
    const ch = alice.channel('channel:acme/agents', {});
    await joinChannel(ch);
    let wake = () => {};
    for (const event of ['message', 'append', 'row_updated', 'state']) ch.on(event, () => wake());
    (ch as unknown as { joinPush: { receive(status: 'ok', cb: () => void): void } }).joinPush.receive('ok', () => wake());
    const thread = () => store.getThread(channelId, runner.threadId);
    const waitFor = async (pred: (t: Message[]) => boolean): Promise<Message[]> => {
      for (;;) {
        const seen = new Promise<void>((resolve) => (wake = resolve));
        const t = await thread();
        if (pred(t)) return t;
        await seen;
      }
    };
    const processed = (id: string) => (t: Message[]) => t.find((m) => m.id === id)?.state?.state === 'processed';

    // A post retried with the same client id until acknowledged (the hub may be down).
    const acked: { client_id: string; seq: number; message_id: string }[] = [];
    const say = async (text: string): Promise<string> => {
      const client_id = `kills-${text}`;
      for (;;) {
        try {
          const r = (await settle(ch.push('post_message', { client_id, body: text, thread_id: runner.threadId }, 2000))) as { seq: number; message_id: string };
          acked.push({ client_id, ...r });
          return r.message_id;
        } catch (err) {
          if (!(err instanceof PushError) || err.code !== 'timeout') throw err;
        }
      }
    };
    // One turn: a command with a side effect counted in runs.log (and a NUL in its output, which
    // PostgreSQL's text cannot hold raw), then streamed reasoning and text.
    const turn = async (n: number): Promise<string> => {
      model.enqueue(
        { type: 'exec', cmd: "echo ran >> runs.log; printf 'before\\0after\\n'", login: false },
        { type: 'reasoning', summary: ['Thinking ', 'it over.'], text: Array.from({ length: 12 }, (_, i) => `word${i} `), delayMs: 40 },
      );
      const id = await say(`turn ${n}`);
      await waitFor(processed(id));
      return id;
    };

    // The undisturbed run: the first turn, before any kill.
    const calmId = await turn(0);
    const calm = await thread();
    const calmRows = calm.slice(calm.findIndex((m) => m.id === calmId) + 1).map(rowView);
    expect(calmRows.map((r) => r.kind)).toEqual(['command', 'reasoning', 'assistant']);
    expect(calmRows[0]!.body).toContain('before\0after');
    const requestsPerTurn = model.requests.length;

    // The storm: kills on their own schedule while turns follow one another.
    let kills = 0;
    const restartMs: number[] = [];
    const killing = (async () => {
      while (kills < KILLS) {
        await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1200));
        await hub.kill();
        kills++;
        restartMs.push(await hub.start());
        wake();
      }
    })();
    let turns = 1;
    const started = Date.now();
    while (kills < KILLS) await turn(turns++);
    await killing;
    const tail = await turn(turns++);
    const final = await waitFor(processed(tail));
    const stormMs = Date.now() - started;

    // Every turn's rows equal the undisturbed turn's; nothing doubled, nothing left streaming.
    const expected = [{ kind: 'session' }];
    for (let n = 0; n < turns; n++) expected.push({ kind: 'text', body: `turn ${n}` } as never, ...(calmRows as never[]));
    expect(final.map((m, i) => (i === 0 ? { kind: m.kind } : m.kind === 'text' ? { kind: m.kind, body: m.body } : rowView(m)))).toEqual(expected);
    expect(final.filter((m) => m.kind === 'text').every((m) => m.state?.state === 'processed')).toBe(true);
    expect(new Set(final.map((m) => m.item_key ?? m.id)).size).toBe(final.length);
    // Every command ran once; every model request was a turn's own.
    expect(readFileSync(join(workspace, 'runs.log'), 'utf8')).toBe('ran\n'.repeat(turns));
    expect(model.requests.length).toBe(requestsPerTurn * turns);
    // Every acknowledged post once, with its seq; the log gap-free, one message event per row.
    const events = await store.eventsSince(channelId, 0, 1_000_000);
    expect(events.map((e) => e.payload.seq)).toEqual(events.map((_, i) => i + 1));
    const messageEvents = events.flatMap((e) => (e.type === 'message' ? [e.payload.message] : []));
    expect(new Set(messageEvents.map((m) => m.id)).size).toBe(messageEvents.length);
    for (const a of acked) expect(final.find((m) => m.client_id === a.client_id)).toMatchObject({ id: a.message_id, seq: a.seq });
    expect(final.map((m) => m.seq)).toEqual([...final.map((m) => m.seq)].sort((a, b) => a - b));
    const median = [...restartMs].sort((a, b) => a - b)[Math.floor(restartMs.length / 2)];
    console.log(`${_name}: ${kills} kills, ${turns} turns in ${(stormMs / 1000).toFixed(1)} s; restart median ${median} ms, max ${Math.max(...restartMs)} ms`);
  }, 300_000);
});
