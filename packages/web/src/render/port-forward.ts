// A `port_forward` row read for display: its meta (PortForwardMeta from the runner, plus the
// approval of a prompt) parsed once, and the phase the row is in, including the two states a
// `ready` row passes through before its preview is served (opening, or the hub refused it).

import { assertNever, Approval, PortForwardMeta, type ControlAction, type Message } from '@pilothouse/protocol';

const RowMeta = PortForwardMeta.extend({ approval: Approval.nullable().optional() });

export type PortForwardPhase = 'prompt' | 'opening' | 'ready' | 'unavailable' | 'denied' | 'revoked' | 'closed';

export interface PortForwardView {
  readonly phase: PortForwardPhase;
  readonly port: number;
  /** "node vite (pid 4242)", or null while the process is not known (a manual forward). */
  readonly process: string | null;
  readonly cwd: string | null;
  readonly requestId: string | null;
  readonly previewId: string | null;
  /** The preview's origin (no grant in it); the grant API gives the link to open. */
  readonly url: string | null;
  readonly reason: string | null;
  /** Present while the prompt waits for a decision. */
  readonly approval: Approval | null;
}

/** null when the meta is not a port-forward meta (the body is shown alone then). */
export function portForwardView(message: Pick<Message, 'meta' | 'status'>): PortForwardView | null {
  const parsed = RowMeta.safeParse(message.meta ?? {});
  if (!parsed.success) return null;
  const m = parsed.data;
  let phase: PortForwardPhase = m.phase;
  if (m.phase === 'ready' && m.url === null) phase = message.status === 'failed' ? 'unavailable' : 'opening';
  return {
    phase,
    port: m.port,
    process: m.command === null ? null : m.pid === null ? m.command : `${m.command} (pid ${m.pid})`,
    cwd: m.cwd,
    requestId: m.request_id,
    previewId: m.preview_id,
    url: m.url,
    reason: m.reason ?? null,
    approval: m.phase === 'prompt' ? (m.approval ?? null) : null,
  };
}

/** The control a prompt's button sends: the approval's choice ids are the decisions. */
export function portForwardControl(requestId: string, choice: string): ControlAction | null {
  return choice === 'approve' || choice === 'deny' ? { type: 'resolve_port_forward', request_id: requestId, decision: choice } : null;
}

/** One line on what the row's state means, for everyone looking. */
export function phaseText(view: PortForwardView): string {
  switch (view.phase) {
    case 'prompt':
      return 'Waiting for a decision';
    case 'opening':
      return 'Approved; opening the preview…';
    case 'ready':
      return 'Preview open';
    case 'unavailable':
      return `The hub could not open the preview${view.reason ? `: ${view.reason}` : ''}`;
    case 'denied':
      return 'Denied: the port stays private';
    case 'revoked':
      return `Revoked${view.reason ? `: ${view.reason}` : ''}`;
    case 'closed':
      return `Closed${view.reason ? `: ${view.reason}` : ''}`;
    default:
      return assertNever(view.phase, 'port-forward phase');
  }
}
