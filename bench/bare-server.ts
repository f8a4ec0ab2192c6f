// The fan-out baseline: a bare `ws` server speaking just enough Phoenix V2 for the official client
// (join, heartbeat and leave get an ok reply). Every other push is re-broadcast to every joined
// socket of its topic — the frame is encoded once (with null refs, so each client's channel accepts
// it) and the same text is sent to all — then acked to the sender with a small phx_reply. No store,
// no validation: what fan-out costs with nothing else in the way.
// Child process: prints `BARE listening on PORT` and runs until SIGINT/SIGTERM.

import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

type WireFrame = [string | null, string | null, string, string, unknown];

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
const topics = new Map<string, Set<WebSocket>>();
let seq = 0;

const reply = (ws: WebSocket, f: WireFrame, response: unknown) =>
  ws.send(JSON.stringify([f[0], f[1], f[2], 'phx_reply', { status: 'ok', response }]));

wss.on('connection', (ws) => {
  const joined = new Set<string>();
  ws.on('message', (data: Buffer) => {
    const f = JSON.parse(data.toString('utf8')) as WireFrame;
    const [, , topic, event, payload] = f;
    if (event === 'heartbeat') return reply(ws, f, {});
    if (event === 'phx_join') {
      let subs = topics.get(topic);
      if (!subs) topics.set(topic, (subs = new Set()));
      subs.add(ws);
      joined.add(topic);
      return reply(ws, f, { head_seq: seq });
    }
    if (event === 'phx_leave') {
      topics.get(topic)?.delete(ws);
      joined.delete(topic);
      return reply(ws, f, {});
    }
    seq++;
    const frame = JSON.stringify([null, null, topic, event, payload]);
    for (const sub of topics.get(topic) ?? []) sub.send(frame);
    reply(ws, f, { seq });
  });
  ws.on('close', () => {
    for (const topic of joined) topics.get(topic)?.delete(ws);
  });
  ws.on('error', () => ws.terminate());
});

wss.on('listening', () => {
  process.stdout.write(`BARE listening on ${(wss.address() as AddressInfo).port}\n`);
});

const stop = () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
