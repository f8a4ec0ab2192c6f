// The machines of each channel, as their daemons reported them (`machine_state`), and the requests
// the hub forwards to them (`machine_request` → `machine_reply`). Kept in memory on the hub process
// the daemon's socket is on: a daemon re-sends its whole state on every (re)join. Bounded: machines
// per channel, requests waiting per machine, and the time each waits.

import { randomUUID } from 'node:crypto';
import { PilothouseError, ErrorCodes, type Actor, type ErrorCode, type MachineInfo, type MachinePresence, type MachineReply, type MachineRequest } from '@pilothouse/protocol';
import type { Subscription } from '../socket/types.js';

/** Machines remembered per channel (online or offline); the oldest offline one is forgotten first. */
export const MAX_MACHINES_PER_CHANNEL = 64;
/** Requests one machine may have unanswered; more are refused with rate_limited. */
export const MAX_PENDING_PER_MACHINE = 32;
/** How long a request waits for the daemon, by operation (a start waits for the runner's first row). */
export const REQUEST_TIMEOUT_MS: Record<MachineRequest['op'], number> = { start: 60_000, changes: 20_000, end: 60_000 };

interface Pending {
  resolve(value: unknown): void;
  reject(err: PilothouseError): void;
  timer: NodeJS.Timeout;
}

interface Entry {
  info: MachineInfo;
  owner: Actor;
  sub: Subscription | null;
  lastSeen: Date;
  pending: Map<string, Pending>;
}

export type MachineRequestBody =
  | { op: 'start'; start: Extract<MachineRequest, { op: 'start' }>['start'] }
  | { op: 'changes'; session_id: string }
  | { op: 'end'; end: Extract<MachineRequest, { op: 'end' }>['end'] };

const keyOf = (ownerId: string, name: string) => `${ownerId}\n${name.toLowerCase()}`;

export class MachineRegistry {
  readonly #channels = new Map<string, Map<string, Entry>>();
  readonly #publish: (channelId: string, machines: MachinePresence[]) => void;
  readonly #timeouts: Record<MachineRequest['op'], number>;

  constructor(opts: { publish: (channelId: string, machines: MachinePresence[]) => void; timeouts?: Partial<Record<MachineRequest['op'], number>> }) {
    this.#publish = opts.publish;
    this.#timeouts = { ...REQUEST_TIMEOUT_MS, ...opts.timeouts };
  }

  /** The daemon on `sub` reported its whole state; the first report registers the socket as that machine. */
  report(channelId: string, owner: Actor, sub: Subscription, info: MachineInfo): void {
    const machines = this.#channel(channelId);
    const key = keyOf(owner.user_id, info.name);
    const entry = machines.get(key);
    if (entry) {
      // A daemon that reconnected replaces its stale socket; requests sent to the old one fail over.
      if (entry.sub !== null && entry.sub !== sub) this.#failPending(entry, new PilothouseError('machine_offline', `${info.name} reconnected before it answered; try again.`));
      entry.info = info;
      entry.sub = sub;
      entry.lastSeen = new Date();
    } else {
      this.#makeRoom(machines);
      machines.set(key, { info, owner, sub, lastSeen: new Date(), pending: new Map() });
    }
    this.#changed(channelId);
  }

  /** The socket left the channel: its machine is offline and what waited on it fails. */
  left(channelId: string, sub: Subscription): void {
    const machines = this.#channels.get(channelId);
    if (!machines) return;
    for (const entry of machines.values()) {
      if (entry.sub !== sub) continue;
      entry.sub = null;
      entry.lastSeen = new Date();
      this.#failPending(entry, new PilothouseError('machine_offline', `${entry.info.name} went offline before it answered.`));
      this.#changed(channelId);
    }
  }

  list(channelId: string): MachinePresence[] {
    const machines = [...(this.#channels.get(channelId)?.values() ?? [])];
    return machines
      .map((e) => ({ ...e.info, owner: e.owner, online: e.sub !== null && !e.sub.closed, last_seen: e.lastSeen.toISOString() }))
      .sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
  }

  /** The machine `name` of `ownerId` in the channel, or machine_not_found. */
  get(channelId: string, ownerId: string, name: string): MachinePresence {
    const found = this.list(channelId).find((m) => m.owner.user_id === ownerId && m.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new PilothouseError('machine_not_found', `No machine ${name} in this channel.`);
    return found;
  }

  /** Sends a request to the machine's daemon and waits for its answer (or machine_offline, machine_timeout). */
  request(channelId: string, ownerId: string, name: string, actor: Actor, body: MachineRequestBody): Promise<unknown> {
    const entry = this.#channels.get(channelId)?.get(keyOf(ownerId, name));
    if (!entry) return Promise.reject(new PilothouseError('machine_not_found', `No machine ${name} in this channel.`));
    const sub = entry.sub;
    if (sub === null || sub.closed) {
      return Promise.reject(new PilothouseError('machine_offline', `${entry.info.name} is offline (last seen ${entry.lastSeen.toISOString()}); start its daemon with pilothouse machine.`));
    }
    if (entry.pending.size >= MAX_PENDING_PER_MACHINE) {
      return Promise.reject(new PilothouseError('rate_limited', `${entry.info.name} has ${MAX_PENDING_PER_MACHINE} requests unanswered; retry later.`, { retry_after_ms: 1000 }));
    }
    const request_id = randomUUID();
    const timeoutMs = this.#timeouts[body.op];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        entry.pending.delete(request_id);
        reject(new PilothouseError('machine_timeout', `${entry.info.name} did not answer within ${Math.round(timeoutMs / 1000)} s.`));
      }, timeoutMs);
      entry.pending.set(request_id, { resolve, reject, timer });
      sub.push('machine_request', { request_id, actor, ...body } satisfies MachineRequest);
    });
  }

  /** The daemon on `sub` answered a request; an answer to nothing (late, or another socket's) is dropped. */
  reply(channelId: string, sub: Subscription, reply: MachineReply): void {
    for (const entry of this.#channels.get(channelId)?.values() ?? []) {
      if (entry.sub !== sub) continue;
      const pending = entry.pending.get(reply.request_id);
      if (!pending) return;
      entry.pending.delete(reply.request_id);
      clearTimeout(pending.timer);
      if (reply.ok) pending.resolve(reply.result);
      else pending.reject(new PilothouseError(knownCode(reply.error.code), reply.error.message, reply.error.details));
      return;
    }
  }

  /** Machines whose daemon is connected to this hub, over every channel. */
  online(): number {
    let n = 0;
    for (const machines of this.#channels.values()) for (const e of machines.values()) if (e.sub !== null && !e.sub.closed) n++;
    return n;
  }

  close(): void {
    for (const machines of this.#channels.values()) {
      for (const entry of machines.values()) this.#failPending(entry, new PilothouseError('machine_offline', 'The hub is shutting down.'));
    }
    this.#channels.clear();
  }

  #channel(channelId: string): Map<string, Entry> {
    let machines = this.#channels.get(channelId);
    if (!machines) this.#channels.set(channelId, (machines = new Map<string, Entry>()));
    return machines;
  }

  #makeRoom(machines: Map<string, Entry>): void {
    if (machines.size < MAX_MACHINES_PER_CHANNEL) return;
    const offline = [...machines].filter(([, e]) => e.sub === null).sort(([, a], [, b]) => a.lastSeen.getTime() - b.lastSeen.getTime());
    const oldest = offline[0];
    if (!oldest) throw new PilothouseError('rate_limited', `This channel has ${MAX_MACHINES_PER_CHANNEL} machines online; no more can join it.`);
    machines.delete(oldest[0]);
  }

  #failPending(entry: Entry, err: PilothouseError): void {
    for (const p of entry.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    entry.pending.clear();
  }

  #changed(channelId: string): void {
    this.#publish(channelId, this.list(channelId));
  }
}

/** A daemon's error code as the hub speaks it: a code the protocol does not know becomes `internal`. */
function knownCode(code: string): ErrorCode {
  return Object.hasOwn(ErrorCodes, code) ? (code as ErrorCode) : 'internal';
}
