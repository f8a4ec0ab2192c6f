// Rows that say what is true: the agent's signature and avatar on runner rows, a command's state
// chip, decided prompts kept collapsed where the prompt was, and the agent's trouble reaching
// its model. Their words come from render/ (agent-identity, command-state, decision-text).

import type { AgentTrouble, ApprovalDecision, Message } from '@pilothouse/protocol';
import type { AgentIdentity, AgentKind } from '../render/agent-identity.js';
import { commandLabel, commandState } from '../render/command-state.js';
import { decisionLine, outcomeWord } from '../render/decision-text.js';
import { Icon } from './layout/icons.js';

/** Avatar and name of a runner row: the agent, then whose runner on which machine. */
/** An agent's mark: its own shape and colour for the agents Pilothouse drives by name, a generic one for any other. */
export function AgentMark({ kind, title }: { kind: AgentKind; title: string }) {
  return (
    <span className={`avatar avatar-agent agent-${kind}`} aria-hidden="true" title={title}>
      <Icon name={kind === 'other' ? 'agent' : `agent-${kind}`} />
    </span>
  );
}

export function AgentSignature({ who }: { who: AgentIdentity }) {
  return (
    <>
      <AgentMark kind={who.kind} title={who.agent} />
      <span className="author author-agent">
        <strong>{who.agent}</strong>
        <span className="agent-runner"> · {who.runner}</span>
      </span>
    </>
  );
}

export function CommandStateChip({ message }: { message: Pick<Message, 'status' | 'meta'> }) {
  const state = commandState(message);
  const { text, tone } = commandLabel(state);
  return (
    <span className={`chip cmd-state tone-${tone}`} data-command-state={state.state}>
      {state.state === 'running' ? <span className="pulse" aria-hidden="true" /> : null}
      {text}
    </span>
  );
}

/** The decided prompts of a message, each collapsed to its one line; opened, what was asked. */
export function DecidedPrompts({ decided }: { decided: readonly ApprovalDecision[] }) {
  return (
    <div className="decided-list">
      {decided.map((d) => (
        <details key={d.request_id} className={`decided outcome-${d.outcome}`} data-outcome={d.outcome} data-request-id={d.request_id}>
          <summary title={new Date(d.at).toLocaleString()}>
            <span className="decided-mark" aria-hidden="true">
              {d.outcome === 'approved' || d.outcome === 'always_allowed' || d.outcome === 'answered' ? '✓' : '✕'}
            </span>
            <span className="decided-line">{decisionLine(d)}</span>
          </summary>
          <pre className="approval-summary">{d.summary}</pre>
          {d.label !== null ? (
            <p className="muted">
              {outcomeWord(d.outcome)}: answered the agent with “{d.label}”.
            </p>
          ) : null}
        </details>
      ))}
    </div>
  );
}

/** The agent cannot reach its model: say so on the message while it retries. */
export function TroubleNote({ trouble }: { trouble: AgentTrouble }) {
  const head = trouble.kind === 'failed' ? 'The model failed' : trouble.kind === 'rate_limited' ? `Rate limited by the model (attempt ${trouble.attempt})` : `Reconnecting to the model (attempt ${trouble.attempt})`;
  return (
    <p className={`trouble trouble-${trouble.kind}`} role="status" data-trouble={trouble.kind}>
      <span aria-hidden="true">⚠ </span>
      <strong>{head}</strong>
      {trouble.http_status !== null ? ` · HTTP ${trouble.http_status}` : ''}
      <span className="trouble-message"> · {trouble.message}</span>
    </p>
  );
}
