// `npm run bench` part `notify` (BENCH_ONLY=notify): Web Push from the hub to a local push service
// that checks the VAPID JWT and decrypts each message (the fake of packages/hub/test). 1) approval
// requested (the runner's set_state acknowledged) → the push decrypted at the push service, p50/p99
// over 200 approvals, one decider with one browser; 2) CPU of this process (hub, push service and
// runner client together) per approval, against the same 200 approvals with nobody subscribed
// measured in the same run (the baseline: what notifications add); 3) one approval to 1,000
// subscribed browsers (50 deciders × 20 browsers): time until the last one is decrypted.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { Channel, Socket } from 'phoenix';
import { startHub, type RunningHub } from '@pilothouse/hub';
import { connect, join as joinChannel, push, seedStore, startFakePushService, type FakePushService } from '@pilothouse/hub/testing';
import { round } from './procs.js';

const APPROVALS = 200;
const DECIDERS = 50;
const BROWSERS_EACH = 20;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;

interface World {
  hub: RunningHub;
  runner: Channel;
  threadId: string;
  tokens: Record<string, string>;
  sockets: Socket[];
  close(): Promise<void>;
}

async function world(names: string[]): Promise<World> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ph-bench-notify-'));
  const hub = await startHub({ host: '127.0.0.1', port: 0, store: { kind: 'sqlite', dataDir }, logger: pino({ level: 'silent' }), webRoot: null, rateLimits: null });
  const { tokens } = await seedStore(hub.store, names);
  const sockets: Socket[] = [];
  const socket = connect(hub.url, tokens[names[0]!]!);
  sockets.push(socket);
  const runner = socket.channel('channel:acme/agents', {});
  await joinChannel(runner);
  await push(runner, 'runner_register', { runner_id: 'r-bench', instance_id: 'i-1', name: 'bench', cwd: '/tmp', agent: { name: 'codex', version: '0' }, capabilities: [] });
  const threadId = ((await push(runner, 'post_row', { client_id: 'root', kind: 'session', body: 'bench session' })) as { thread_id: string }).thread_id;
  await push(runner, 'runner_status', { status: 'idle', thread_id: threadId, allowed: names.slice(0, 64) });
  return {
    hub,
    runner,
    threadId,
    tokens,
    sockets,
    async close() {
      for (const s of sockets) s.disconnect();
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function subscribe(w: World, fake: FakePushService, who: string): Promise<string> {
  const prefs = (await (await fetch(`${w.hub.url}/api/notifications/prefs`, { headers: { authorization: `Bearer ${w.tokens[who]!}` } })).json()) as { push: { public_key: string } };
  const sub = fake.subscribe({ applicationServerKey: prefs.push.public_key });
  const res = await fetch(`${w.hub.url}/api/push/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${w.tokens[who]!}`, 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } }),
  });
  if (res.status !== 200) throw new Error(`notify bench: subscribing ${who} failed with ${res.status}: ${await res.text()}`);
  return sub.id;
}

let seq = 0;
/** One instruction and its approval for `allowed`; resolves (once set_state is acknowledged) with the time set_state was sent. */
async function approval(w: World, allowed: string[]): Promise<number> {
  const m = (await push(w.runner, 'post_message', { client_id: `b-${++seq}`, body: `task ${seq}`, thread_id: w.threadId })) as { message_id: string };
  const approvalBody = { request_id: `req-${seq}`, kind: 'command', summary: `npm test ${seq}`, choices: [{ id: 'approve', label: 'Approve' }, { id: 'deny', label: 'Deny' }], allowed: allowed.map((name) => ({ name })) };
  const sent = performance.now();
  await push(w.runner, 'set_state', { message_id: m.message_id, state: { state: 'processing', reason: null, approval: approvalBody } });
  return sent;
}

export async function notificationsBench(line: (s?: string) => void): Promise<Record<string, unknown>> {
  const fake = await startFakePushService();
  try {
    // 1 and 2: one decider (dave) with one browser; the baseline run has nobody subscribed.
    const base = await world(['alice', 'dave']);
    let baselineCpuUs: number;
    try {
      for (let i = 0; i < 20; i++) await approval(base, ['dave']); // warm-up
      const cpu = process.cpuUsage();
      for (let i = 0; i < APPROVALS; i++) await approval(base, ['dave']);
      await base.hub.notifications.worker.idle();
      const used = process.cpuUsage(cpu);
      baselineCpuUs = (used.user + used.system) / APPROVALS;
    } finally {
      await base.close();
    }
    const w = await world(['alice', 'dave']);
    const latencies: number[] = [];
    let cpuUs: number;
    try {
      const sub = await subscribe(w, fake, 'dave');
      for (let i = 0; i < 20; i++) {
        await approval(w, ['dave']);
        await fake.next(sub);
      }
      const cpu = process.cpuUsage();
      for (let i = 0; i < APPROVALS; i++) {
        const arrived = fake.next(sub).then(() => performance.now());
        const sent = await approval(w, ['dave']);
        latencies.push((await arrived) - sent);
      }
      const used = process.cpuUsage(cpu);
      cpuUs = (used.user + used.system) / APPROVALS;
    } finally {
      await w.close();
    }

    // 3: one approval, 1,000 browsers.
    const names = ['alice', ...Array.from({ length: DECIDERS }, (_, i) => `d${String(i).padStart(2, '0')}`)];
    const big = await world(names);
    let fanoutMs: number;
    try {
      const subs: string[] = [];
      for (const who of names.slice(1)) for (let b = 0; b < BROWSERS_EACH; b++) subs.push(await subscribe(big, fake, who));
      const want = new Set(subs);
      const all = Promise.all([...want].map((id) => fake.next(id)));
      const t0 = performance.now();
      const sent = await approval(big, names.slice(1));
      const acked = performance.now();
      await all;
      fanoutMs = performance.now() - sent;
      line(`  (set_state acknowledged ${round(acked - sent)} ms after it was sent: the 1,000 deliveries are written in the event's transaction; setup ${round(sent - t0)} ms)`);
    } finally {
      await big.close();
    }
    const p50 = round(pct(latencies, 50));
    const p99 = round(pct(latencies, 99));
    line(`notifications: approval requested (set_state sent) -> push decrypted at the push service, ${APPROVALS} approvals: p50 ${p50} ms, p99 ${p99} ms`);
    line(`  CPU per approval (hub + push service + client, one process): ${round(cpuUs / 1000)} ms with one browser subscribed vs ${round(baselineCpuUs / 1000)} ms with none (x${round(cpuUs / baselineCpuUs)})`);
    line(`  one approval to ${DECIDERS * BROWSERS_EACH} browsers (${DECIDERS} deciders x ${BROWSERS_EACH}): last one decrypted after ${round(fanoutMs)} ms`);
    return { approvals: APPROVALS, p50Ms: p50, p99Ms: p99, cpuMsPerApproval: round(cpuUs / 1000), baselineCpuMsPerApproval: round(baselineCpuUs / 1000), browsers: DECIDERS * BROWSERS_EACH, lastDeliveryMs: round(fanoutMs) };
  } finally {
    await fake.close();
  }
}
