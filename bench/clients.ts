// The client side of the fan-out bench, run as its own process so the server under test keeps a
// core to itself: `subscribers` official phoenix sockets join the topic, one runner socket
// registers, opens a streaming row and pipelines `n` appends into it (at most `window` unacked).
// Then the fixed-rate latency probe (latency.ts) runs with every subscriber still attached.
// The same code drives the hub and the bare baseline. Argument: a JSON ClientsConfig; prints
// `RESULT {json}` on stdout.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Socket, type Channel, type Push } from 'phoenix';
import { WebSocket } from 'ws';
import { LatencyProbe, type LatencyResult } from './latency.js';
import { cpuMeter, round, type CpuShares } from './procs.js';

export interface ClientsConfig {
  /** ws://127.0.0.1:PORT/socket (the phoenix client appends /websocket). */
  endpoint: string;
  topic: string;
  runnerToken: string;
  /** Subscriber i connects with viewerTokens[i % length] (a user may hold 32 sockets). */
  viewerTokens: string[];
  subscribers: number;
  n: number;
  window: number;
  textBytes: number;
  /** Bound on the throughput phase; whatever arrived by then is reported. */
  deadlineMs: number;
  latency: { rate: number; seconds: number };
  /** The server's pid, to read its CPU time. */
  serverPid: number;
}

export interface ThroughputResult {
  n: number;
  acked: number;
  errors: number;
  firstError: string | null;
  complete: boolean;
  ackSeconds: number;
  appendsPerSec: number;
  /** Appends received, summed over the subscribers. */
  delivered: number;
  deliverySeconds: number;
  deliveriesPerSec: number;
  cpu: CpuShares;
  /** Appends per CPU-second of the server: throughput with the machine's noise taken out. */
  appendsPerServerCpuSec: number;
}

export interface ClientsResult {
  throughput: ThroughputResult;
  latency: LatencyResult & { cpu: CpuShares };
}

interface AppendPayload {
  item_key: string;
  offset: number;
}

const settle = (push: Push, timeoutCode = 'timeout'): Promise<unknown> =>
  new Promise((resolve, reject) => {
    push.receive('ok', resolve);
    push.receive('error', (e) => reject(new Error(JSON.stringify(e))));
    push.receive('timeout', () => reject(new Error(timeoutCode)));
  });

async function connect(endpoint: string, token: string): Promise<Socket> {
  const socket = new Socket(endpoint, {
    transport: WebSocket,
    params: { token },
    timeout: 30_000,
    reconnectAfterMs: () => 60_000,
    rejoinAfterMs: () => 60_000,
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.onOpen(resolve);
    socket.onError((e) => reject(new Error(`socket error: ${String(e)}`)));
  });
  socket.connect();
  await opened;
  return socket;
}

async function join(socket: Socket, topic: string): Promise<Channel> {
  const chan = socket.channel(topic, {});
  await settle(chan.join(), 'join timeout');
  return chan;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(cfg: ClientsConfig): Promise<ClientsResult> {
  const tag = randomUUID().slice(0, 8);
  const tputKey = `bench-${tag}-tput`;
  const latKey = `bench-${tag}-lat`;
  const probe = new LatencyProbe(cfg.latency.rate, cfg.latency.seconds, cfg.textBytes);

  // Subscribers: count the throughput row's appends; the first one also feeds the latency probe.
  const counts = new Array<number>(cfg.subscribers).fill(0);
  const doneAt = new Array<number>(cfg.subscribers).fill(0);
  let subsDone = 0;
  const subscribers = await Promise.all(
    Array.from({ length: cfg.subscribers }, async (_, i) => {
      const socket = await connect(cfg.endpoint, cfg.viewerTokens[i % cfg.viewerTokens.length]!);
      const chan = await join(socket, cfg.topic);
      chan.on('append', (raw) => {
        const p = raw as AppendPayload;
        if (p.item_key === tputKey) {
          if (++counts[i]! === cfg.n) {
            doneAt[i] = performance.now();
            subsDone++;
          }
        } else if (i === 0 && p.item_key === latKey) {
          probe.onReceive(p.offset);
        }
      });
      return socket;
    }),
  );

  const runnerSocket = await connect(cfg.endpoint, cfg.runnerToken);
  const runner = await join(runnerSocket, cfg.topic);
  await settle(
    runner.push('runner_register', {
      runner_id: `bench-runner-${tag}`,
      instance_id: randomUUID(),
      name: 'bench runner',
      cwd: '/tmp',
      agent: { name: 'bench', version: '0' },
      capabilities: [],
    }),
  );
  const openRow = (item_key: string) => settle(runner.push('post_row', { client_id: `row-${item_key}`, item_key, kind: 'assistant', body: '' }));
  await openRow(tputKey);
  await openRow(latKey);

  // Throughput: a bounded window of pipelined appends into one row.
  const text = 'x'.repeat(cfg.textBytes);
  let sent = 0;
  let acked = 0;
  let errors = 0;
  let firstError: string | null = null;
  let ackDoneAt = 0;
  const t0 = performance.now();
  const tputCpu = cpuMeter(cfg.serverPid);
  const deadline = t0 + cfg.deadlineMs;
  const pump = () => {
    while (sent < cfg.n && sent - acked - errors < cfg.window && errors === 0 && performance.now() < deadline) {
      const offset = sent * text.length;
      sent++;
      settle(runner.push('append', { item_key: tputKey, offset, text }, 30_000)).then(
        () => {
          if (++acked === cfg.n) ackDoneAt = performance.now();
          pump();
        },
        (err: unknown) => {
          errors++;
          firstError ??= String(err);
        },
      );
    }
  };
  pump();
  while (performance.now() < deadline && (acked + errors < sent || sent < cfg.n || subsDone < cfg.subscribers) && errors === 0) {
    await sleep(5);
  }
  const cpu = tputCpu();
  const elapsed = (performance.now() - t0) / 1000;
  const delivered = counts.reduce((a, b) => a + b, 0);
  const complete = acked === cfg.n && subsDone === cfg.subscribers;
  const ackSeconds = ackDoneAt > 0 ? (ackDoneAt - t0) / 1000 : elapsed;
  const deliverySeconds = complete ? (Math.max(...doneAt) - t0) / 1000 : elapsed;
  const throughput: ThroughputResult = {
    n: cfg.n,
    acked,
    errors,
    firstError,
    complete,
    ackSeconds: round(ackSeconds, 3),
    appendsPerSec: round(acked / ackSeconds, 0),
    delivered,
    deliverySeconds: round(deliverySeconds, 3),
    deliveriesPerSec: round(delivered / deliverySeconds, 0),
    cpu,
    appendsPerServerCpuSec: round(acked / cpu.serverSeconds, 0),
  };

  // Let an unfinished phase drain (bounded) so the latency probe does not queue behind it.
  const quietUntil = performance.now() + 10_000;
  for (let last = -1; performance.now() < quietUntil; ) {
    const now = counts.reduce((a, b) => a + b, 0);
    if (now === last) break;
    last = now;
    await sleep(300);
  }

  // Latency at a fixed rate, all subscribers still attached.
  const latCpu = cpuMeter(cfg.serverPid);
  const latency = await probe.run(async (offset, t) => {
    await settle(runner.push('append', { item_key: latKey, offset, text: t }, 10_000));
  }, 3000);

  for (const s of [...subscribers, runnerSocket]) s.disconnect();
  return { throughput, latency: { ...latency, cpu: latCpu() } };
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as ClientsConfig;
main(cfg).then(
  (result) => process.stdout.write(`RESULT ${JSON.stringify(result)}\n`, () => process.exit(0)),
  (err: unknown) => {
    process.stderr.write(`clients failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
