// The seam to port forwarding: the tunnel client (hub directives), the review of what the
// agent's processes listen on (previews.ts) and the watcher feeding it, built and closed here
// only: the rest of the runner calls directive, hubState, attach, watch, decision, command, close.

import type { Logger } from 'pino';
import type { RunnerDirective } from '@pilothouse/protocol';
import type { HubConnectionState } from '../hub/link.js';
import { PortWatcher, type Schedule } from '../previews/listeners/watcher.js';
import type { AllowedActor } from '../session/index.js';
import { createTunnelClient, type TunnelClient } from '../previews/tunnel-client.js';
import { assertNever } from '../session/effects.js';
import { sessionMarker } from './agent-process.js';
import { PortForwarding, type CommandOutcome, type PreviewPush } from './previews.js';

export interface PortWiringOptions {
  readonly hubUrl: string;
  readonly token: string;
  readonly log: Logger;
  /** `--forward`: approved from the start. */
  readonly forward: readonly number[];
  /** `--no-forward`: never prompted. */
  readonly suppress: readonly number[];
  /** Default: on Linux (/proc) and macOS (ps + lsof). */
  readonly watchPorts?: boolean | undefined;
  readonly portScanMs?: number | undefined;
}

type Actor = { readonly user_id: string; readonly name: string };

export class PortWiring {
  readonly #o: PortWiringOptions;
  readonly #tunnel: TunnelClient;
  #ports: PortForwarding | null = null;
  #watcher: PortWatcher | null = null;
  #wasConnected = false;

  constructor(options: PortWiringOptions) {
    this.#o = options;
    // The tunnel serves approved previews only.
    this.#tunnel = createTunnelClient({
      hubUrl: options.hubUrl,
      token: options.token,
      logger: options.log,
      isApproved: (previewId, port) => this.#ports?.isApproved(previewId, port) ?? false,
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
    if (this.#wasConnected) this.#ports?.reopenAll();
    this.#wasConnected = true;
  };

  /** The session exists: review listeners in its thread (before any hub event reaches the session). */
  attach(session: { threadId: string; allowed: readonly AllowedActor[]; instanceId: string; push: PreviewPush }): void {
    // Request ids carry a few letters of this instance: a prompt left by an earlier run never matches.
    this.#ports = new PortForwarding({
      threadId: session.threadId,
      allowed: session.allowed,
      push: session.push,
      log: this.#o.log,
      idPrefix: `pf-${session.instanceId.replace(/-/g, '').slice(0, 4)}-`,
      initialForward: this.#o.forward,
      suppressed: this.#o.suppress,
      onPreviewClosed: (previewId) => this.#tunnel.closePreview(previewId),
    });
  }

  /** Starts the watcher feeding the review what the agent's processes (rooted at `rootPid`, or marked) listen on. */
  watch(instanceId: string, rootPid: () => number | null): void {
    const schedule: Schedule = (fn, ms) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    };
    const intervalMs = this.#o.portScanMs ?? 1000;
    // /proc on Linux, ps + lsof on macOS (previews/listeners/lsof-scanner.ts); elsewhere only `--forward` and `/pilothouse forward`.
    if (this.#o.watchPorts ?? (process.platform === 'linux' || process.platform === 'darwin')) {
      const watcher = new PortWatcher({ rootPid, marker: sessionMarker(instanceId), intervalMs, schedule });
      watcher.subscribe((event) => this.#ports?.listener(event));
      watcher.start();
      this.#watcher = watcher;
    }
    this.#o.log.info({ event: 'forward_port_watching', enabled: this.#watcher !== null, forward: this.#o.forward, interval_ms: intervalMs }, 'port watcher');
  }

  /** An allowed actor's port-forward button. */
  decision(control_id: string, request_id: string, decision: 'approve' | 'deny', actor: Actor): void {
    if (this.#ports) this.#ports.decision(control_id, request_id, decision, actor);
    else this.#o.log.info({ event: 'forward_port_unavailable', request_id }, 'port forwarding is off');
  }

  /** A `/pilothouse …` chat command. */
  command(text: string, actor: Actor): CommandOutcome {
    return this.#ports ? this.#ports.command(text, actor) : { error: 'invalid_command: port forwarding is off on this runner', note: null };
  }

  /** preview_close for each open preview, and the rows say the runner closed (the hub client drains them). */
  close(): void {
    this.#watcher?.stop();
    this.#ports?.close();
    this.#tunnel.closeAll();
  }
}
