// The I/O seam of port forwarding; the session decides everything else (session/previews/). Here:
// the tunnel client (hub directives; it serves only previews the session holds approved), one
// listener scanner for the `scan_listeners` effect, the preview_open / preview_close pushes with
// their replies fed back, and a hub rejoin fed in (the hub may have forgotten our previews).

import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { assertNever, type PushPayload, type PushReply, type RunnerDirective } from '@pilothouse/protocol';
import type { HubConnectionState } from '../hub/link.js';
import { ScanToolMissingError, type ListenerScanner } from '../previews/listeners/scanner.js';
import { defaultScanner } from '../previews/listeners/default-scanner.js';
import { createTunnelClient, type TunnelClient } from '../previews/tunnel-client.js';
import { previewApproved, type PreviewsConfig, type SessionInput, type SessionState } from '../session/index.js';
import { sessionMarker } from '../agent/driver.js';
import { describeError } from '../errors.js';

type PreviewPush = <K extends 'preview_open' | 'preview_close'>(event: K, payload: PushPayload<K>) => Promise<PushReply<K>>;

export interface PortWiringOptions {
  readonly hubUrl: string;
  readonly token: string;
  readonly log: Logger;
  /** The session as it stands now (the tunnel asks it before serving a stream). */
  readonly state: () => SessionState | null;
  readonly feed: (input: SessionInput) => void;
  /** Default: on Linux (/proc) and macOS (ps + lsof). */
  readonly watchPorts?: boolean | undefined;
  readonly portScanMs?: number | undefined;
  /** Default: defaultScanner(), the one for this platform. */
  readonly scanner?: ListenerScanner | undefined;
}

export class PortWiring {
  readonly #o: PortWiringOptions;
  readonly #tunnel: TunnelClient;
  readonly #watch: boolean;
  #scanner: { scanner: ListenerScanner; rootPid: () => number | null; marker: string } | null = null;
  #push: PreviewPush | null = null;
  #wasConnected = false;

  constructor(options: PortWiringOptions) {
    this.#o = options;
    this.#watch = options.watchPorts ?? (process.platform === 'linux' || process.platform === 'darwin');
    this.#tunnel = createTunnelClient({
      hubUrl: options.hubUrl,
      token: options.token,
      logger: options.log,
      isApproved: (previewId, port) => previewApproved(options.state()?.previews ?? null, previewId, port),
    });
  }

  readonly directive = (directive: RunnerDirective): void => {
    switch (directive.type) {
      case 'tunnel_open':
        return this.#tunnel.handle(directive.payload);
      default:
        return assertNever(directive.type, 'directive');
    }
  };

  readonly hubState = (state: HubConnectionState): void => {
    if (state.status !== 'connected') return;
    // A rejoin after a loss: the hub may have restarted and forgotten our previews.
    if (this.#wasConnected) this.#o.feed({ type: 'hub_reconnected', now: Date.now() });
    this.#wasConnected = true;
  };

  /** The session's port-forwarding settings for this runner instance; scans go to the agent's processes. */
  config(instanceId: string, forward: readonly number[], suppressed: readonly number[], rootPid: () => number | null): PreviewsConfig {
    const scanMs = this.#watch ? (this.#o.portScanMs ?? 1000) : null;
    // /proc on Linux, ps + lsof on macOS (previews/listeners/); elsewhere only `--forward` and `/pilothouse forward`.
    if (this.#watch) this.#scanner = { scanner: this.#o.scanner ?? defaultScanner(), rootPid, marker: sessionMarker(instanceId) };
    this.#o.log.info({ event: 'forward_port_watching', enabled: this.#watch, forward, interval_ms: scanMs }, 'port watcher');
    return {
      // Request ids carry a few letters of this instance: a prompt left by an earlier run never matches.
      idPrefix: `pf-${instanceId.replace(/-/g, '').slice(0, 4)}-`,
      // Preview ids are derived from it: unguessable, while the session core stays deterministic.
      secret: randomBytes(32).toString('hex'),
      initialForward: forward,
      suppressed,
      scanMs,
    };
  }

  /** Where preview pushes go (the hub client, once connected). */
  attach(push: PreviewPush): void {
    this.#push = push;
  }

  /** `scan_listeners`: one scan, its result (or failure) fed back. */
  scan(): void {
    const s = this.#scanner;
    if (s === null) return;
    s.scanner.scan(s.rootPid(), s.marker).then(
      (listeners) => this.#o.feed({ type: 'listeners_scanned', now: Date.now(), listeners }),
      (err: unknown) =>
        this.#o.feed({ type: 'listener_scan_failed', now: Date.now(), error: describeError(err).message, permanent: err instanceof ScanToolMissingError }),
    );
  }

  /** `preview_open`: the hub's URL (or its refusal) fed back. */
  open(payload: PushPayload<'preview_open'>): void {
    const { preview_id } = payload;
    const push = this.#push;
    if (push === null) return;
    push('preview_open', payload).then(
      (reply) => this.#o.feed({ type: 'preview_opened', now: Date.now(), preview_id, url: reply.url }),
      (err: unknown) => {
        const { code, message } = describeError(err);
        this.#o.feed({ type: 'preview_open_failed', now: Date.now(), preview_id, error: `${code}: ${message}` });
      },
    );
  }

  /** `preview_close`: the tunnel's streams of that preview end, and the hub stops serving it. */
  closePreview(payload: PushPayload<'preview_close'>): void {
    this.#tunnel.closePreview(payload.preview_id);
    this.#push?.('preview_close', payload).catch((err: unknown) => {
      this.#o.log.info({ event: 'forward_port_close_failed', ...payload, ...describeError(err) }, 'preview_close refused');
    });
  }

  /** The runner closes: no more scans, every tunnel stream ends (the close step emitted preview_close for each preview). */
  close(): void {
    this.#scanner = null;
    this.#tunnel.closeAll();
  }
}
