// Small status marks: a human message's state (queued → processing with its reason → processed,
// or ignored / failed with the reason), a row's lifecycle, and a runner's presence.

import { agentDisplayName, type MessageState, type RowStatus, type RunnerPresence } from '@pilothouse/protocol';
import { names } from '../state/steering.js';

export function StateBadge({ state }: { state: MessageState }) {
  return (
    <span className={`badge state-${state.state}`} data-state={state.state}>
      {state.state}
      {state.reason ? <span className="reason"> · {state.reason}</span> : null}
    </span>
  );
}

export function RowStatusChip({ status }: { status: RowStatus }) {
  return (
    <span className={`chip status-${status}`} data-row-status={status}>
      {status === 'streaming' ? <span className="pulse" aria-hidden="true" /> : null}
      {status}
    </span>
  );
}

export function RunnerPresenceLine({ runner }: { runner: RunnerPresence }) {
  return (
    <div className="presence" data-runner-status={runner.status}>
      <span className={`dot ${runner.status}`} aria-hidden="true" />
      <strong>{runner.name}</strong>
      <span className="presence-status">{runner.status}</span>
      <span className="presence-cwd" title={runner.cwd}>
        {runner.cwd}
      </span>
      <span className="presence-agent">
        {agentDisplayName(runner.agent.name)} {runner.agent.version}
      </span>
      <span className="presence-allowed">steered by {names(runner.allowed)}</span>
    </div>
  );
}
