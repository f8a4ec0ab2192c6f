// The daemon's one socket to the hub: joins `channel:WS/CH` with the owner's runner token, reports
// the machine's whole state after every (re)join and on every change, and hands each
// `machine_request` to the daemon, whose answer goes back as `machine_reply`. Phoenix reconnects
// and rejoins by itself; a refused join (revoked token, not a member) is final.

import { Socket, type Channel } from 'phoenix';
import { WebSocket } from 'ws';
import { JoinReply, MachineRequest, type MachineInfo, type MachineReply } from '@pilothouse/protocol';
import { socketEndpoint } from '../hub/connection.js';

export interface MachineLinkOptions {
  hubUrl: string;
  token: string;
  channel: string;
  /** The state to report, read at every report. */
  state(): MachineInfo;
  /** Answers one request (its errors become `ok: false` replies). */
  handle(request: MachineRequest): Promise<unknown>;
  log(level: 'info' | 'warn' | 'error', fields: Record<string, unknown>, message: string): void;
  /** Each accepted join: who the hub says the token belongs to (the machine's owner). */
  joined(user: { user_id: string; name: string }): void;
  /** The hub refused the join for good (a bad token, not a member): the daemon stops. */
  refused(reason: string): void;
  timeoutMs?: number;
}

const TIMEOUT_MS = 10_000;

class HubWebSocket extends WebSocket {
  constructor(address: string, protocols?: string | string[]) {
    super(address, protocols, { handshakeTimeout: TIMEOUT_MS });
  }
}

export class MachineLink {
  readonly #socket: Socket;
  readonly #channel: Channel;
  readonly #opts: MachineLinkOptions;
  #joined = false;
  #closed = false;
  /** Resolves at the first accepted join. */
  readonly ready: Promise<void>;

  constructor(opts: MachineLinkOptions) {
    this.#opts = opts;
    const timeout = opts.timeoutMs ?? TIMEOUT_MS;
    this.#socket = new Socket(socketEndpoint(opts.hubUrl), {
      transport: HubWebSocket,
      params: { token: opts.token },
      timeout,
      reconnectAfterMs: (tries: number) => Math.min(10_000, 250 * 2 ** Math.min(tries, 6)),
      rejoinAfterMs: (tries: number) => Math.min(10_000, 500 * 2 ** Math.min(tries, 5)),
    });
    this.#channel = this.#socket.channel(`channel:${opts.channel}`, {});
    this.#channel.on('machine_request', (payload) => this.#request(payload));
    this.#channel.onError(() => {
      if (this.#joined) opts.log('warn', { event: 'machine_link_lost' }, 'lost the hub; reconnecting');
      this.#joined = false;
    });
    let readyResolve!: () => void;
    this.ready = new Promise((r) => (readyResolve = r));
    this.#channel
      .join(timeout)
      .receive('ok', (raw: unknown) => {
        const reply = JoinReply.safeParse(raw);
        if (reply.success) opts.joined(reply.data.user);
        this.#joined = true;
        opts.log('info', { event: 'machine_link_up', channel: opts.channel }, 'joined the hub');
        this.report();
        readyResolve();
      })
      .receive('error', (raw: unknown) => {
        const response = raw as { code?: string; message?: string };
        const reason = `${response.code ?? 'refused'}: ${response.message ?? 'the hub refused the join'}`;
        opts.log('error', { event: 'machine_link_refused', reason }, 'the hub refused the machine');
        // Only a transient hub error is worth another try; phoenix would rejoin forever otherwise.
        if (response.code !== 'internal') {
          void this.close();
          opts.refused(reason);
        }
      });
    this.#socket.connect();
  }

  /** Sends the machine's whole state (when joined; every join sends it anyway). */
  report(): void {
    if (!this.#joined || this.#closed) return;
    this.#channel
      .push('machine_state', this.#opts.state(), this.#opts.timeoutMs ?? TIMEOUT_MS)
      .receive('error', (raw: unknown) => {
        const response = raw as { code?: string; message?: string };
        this.#opts.log('error', { event: 'machine_state_refused', code: response.code }, response.message ?? 'the hub refused the machine state');
        if (response.code === 'runner_token_required') {
          void this.close();
          this.#opts.refused(`${response.code}: ${response.message ?? ''}`);
        }
      });
  }

  #request(raw: unknown): void {
    const parsed = MachineRequest.safeParse(raw);
    if (!parsed.success) {
      this.#opts.log('warn', { event: 'machine_request_invalid', issue: parsed.error.issues[0]?.message }, 'a request from the hub does not match the protocol');
      const id = (raw as { request_id?: unknown } | null)?.request_id;
      if (typeof id === 'string' && id.length > 0) this.#reply({ request_id: id, ok: false, error: { code: 'invalid_payload', message: 'The request does not match the protocol.' } });
      return;
    }
    const request = parsed.data;
    this.#opts.handle(request).then(
      (result) => this.#reply({ request_id: request.request_id, ok: true, result }),
      (err: unknown) => {
        const e = err as { code?: unknown; message?: unknown; details?: unknown };
        const code = typeof e.code === 'string' && /^[a-z_]+$/.test(e.code) ? e.code : 'internal';
        const message = typeof e.message === 'string' ? e.message : String(err);
        if (code === 'internal') this.#opts.log('error', { event: 'machine_request_failed', op: request.op, err: message }, 'a request failed');
        this.#reply({ request_id: request.request_id, ok: false, error: { code, message: message.slice(0, 4000), ...(e.details === undefined ? {} : { details: e.details }) } });
      },
    );
  }

  #reply(reply: MachineReply): void {
    if (this.#closed) return;
    this.#channel.push('machine_reply', reply, this.#opts.timeoutMs ?? TIMEOUT_MS);
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return new Promise((resolve) => {
      const disconnect = () => this.#socket.disconnect(() => resolve());
      this.#channel.leave(1000).receive('ok', disconnect).receive('timeout', disconnect);
    });
  }
}
