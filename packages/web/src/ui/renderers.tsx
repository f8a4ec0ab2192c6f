// One renderer per message kind, in one table: the kinds differ in how their body and meta are
// shown, not in how they arrive or update (Row.tsx is the one pipeline for all of them).

import type { ComponentType } from 'react';
import { agentDisplayName, isRetryable, type Message, type MessageKind } from '@pilothouse/protocol';
import { CommandMeta, FileChangeMeta, PlanMeta, SessionMeta, WebSearchMeta, readMeta } from '../render/meta.js';
import { prunedOf } from '../render/pruned.js';
import { closeOpenMarkdown } from '../render/streaming-markdown.js';
import { stripAnsi } from '../render/strip-ansi.js';
import { ApprovalPrompt } from './ApprovalPrompt.js';
import { ClippedText } from './ClippedText.js';
import { CopyButton } from './copy.js';
import { DiffView } from './DiffView.js';
import { Markdown } from './Markdown.js';
import { PortForward } from './PortForward.js';
import { PrunedNote } from './PrunedNote.js';
import type { RowContext } from './row-context.js';
import { DecidedPrompts, TroubleNote } from './truth.js';

export interface RowProps {
  readonly message: Message;
  readonly ctx: RowContext;
}

const OUTPUT_LIMIT = 40_000;

function HumanText({ message, ctx }: RowProps) {
  const approval = message.state?.approval;
  return (
    <>
      <Markdown text={message.body} />
      {message.state?.trouble ? <TroubleNote trouble={message.state.trouble} /> : null}
      {message.state?.decided?.length ? <DecidedPrompts decided={message.state.decided} /> : null}
      {approval ? <ApprovalPrompt approval={approval} ctx={ctx} /> : null}
      {isRetryable(message) ? <RetryButton message={message} ctx={ctx} /> : null}
    </>
  );
}

/** A failed instruction runs again only when someone allowed asks (docs/protocol.md, "Runner restarts"). */
function RetryButton({ message, ctx }: RowProps) {
  return (
    <div className="row-actions">
      <button
        type="button"
        disabled={!ctx.mayControl}
        title={ctx.mayControl ? 'Run this instruction again' : 'Only the people who steer this session can retry it.'}
        onClick={() => void ctx.control({ type: 'retry', message_id: message.id }).catch(() => undefined)}
      >
        Retry
      </button>
    </div>
  );
}

function Session({ message }: RowProps) {
  const meta = readMeta(SessionMeta, message.meta);
  return (
    <>
      <Markdown text={message.body} />
      <div className="facts">
        {meta.cwd ? <span title="folder">{meta.cwd}</span> : null}
        {meta.agent ? <span className="session-agent-fact">{`${agentDisplayName(meta.agent)} ${meta.agent_version ?? ''}`.trim()}</span> : null}
        {meta.listen_user ? <span>listens to {meta.listen_user}</span> : null}
      </div>
    </>
  );
}

const Notice = ({ message }: RowProps) => <p className="notice">{message.body}</p>;

/** A body still streaming is shown with its open Markdown markers closed (no raw `**` mid-answer). */
const shownBody = (message: Message) => (message.status === 'streaming' ? closeOpenMarkdown(message.body) : message.body);

function Assistant({ message }: RowProps) {
  return (
    <>
      <Markdown text={shownBody(message)} />
      {message.status !== 'streaming' && message.body !== '' ? (
        <div className="row-copy">
          <CopyButton text={message.body} label="Copy the answer as Markdown" />
        </div>
      ) : null}
    </>
  );
}

/** Collapsed: the first line as a preview. Open: the whole text, and the preview is hidden (styles.css). */
function Reasoning({ message }: RowProps) {
  const pruned = prunedOf(message.meta);
  if (pruned !== null) return <PrunedNote kind={message.kind} pruned={pruned} />;
  const first = message.body.split('\n', 1)[0] ?? '';
  return (
    <details className="reasoning">
      <summary>
        Reasoning <span className="preview">{first.length > 120 ? `${first.slice(0, 120)}…` : first}</span>
      </summary>
      <Markdown text={shownBody(message)} />
    </details>
  );
}

/** The exit code when there is one; the row's header says the command's state (CommandStateChip). */
function exitText(exit: number | null | undefined): { text: string; tone: string } | null {
  return typeof exit === 'number' ? { text: `exit ${exit}`, tone: exit === 0 ? 'ok' : 'bad' } : null;
}

/** Lines in a text, counted without splitting it (command output can be megabytes). */
function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text === '' || text.endsWith('\n') ? n : n + 1;
}

const duration = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

function Command({ message }: RowProps) {
  const meta = readMeta(CommandMeta, message.meta);
  const exit = exitText(meta.exit_code);
  const lines = lineCount(message.body);
  const pruned = prunedOf(message.meta);
  return (
    <>
      <div className="cmd-line">
        <code className="cmd">$ {meta.command ?? ''}</code>
        {meta.command ? <CopyButton text={meta.command} label="Copy the command" /> : null}
      </div>
      <div className="facts">
        {exit !== null ? (
          <span className={`exit ${exit.tone}`} data-exit={meta.exit_code ?? ''}>
            {exit.text}
          </span>
        ) : null}
        {typeof meta.duration_ms === 'number' ? <span className="duration">{duration(meta.duration_ms)}</span> : null}
        {meta.cwd ? <span title="working directory">{meta.cwd}</span> : null}
      </div>
      {pruned !== null ? (
        <PrunedNote kind={message.kind} pruned={pruned} />
      ) : message.body !== '' ? (
        <details className="cmd-output" open>
          <summary>
            Output · {lines} {lines === 1 ? 'line' : 'lines'}
            {typeof meta.omitted_bytes === 'number' && meta.omitted_bytes > 0 ? ` · ${meta.omitted_bytes} bytes left out by the runner` : ''}
          </summary>
          <div className="copyable">
            <CopyButton text={() => stripAnsi(message.body)} label="Copy the output" />
            <ClippedText text={message.body} limit={OUTPUT_LIMIT} ansi />
          </div>
        </details>
      ) : null}
    </>
  );
}

function FileChange({ message }: RowProps) {
  const meta = readMeta(FileChangeMeta, message.meta);
  const pruned = prunedOf(message.meta);
  return (
    <>
      {meta.changes && message.body === '' ? (
        <ul className="changes">
          {meta.changes.map((c) => (
            <li key={c.path}>
              {c.kind} {c.path}
            </li>
          ))}
        </ul>
      ) : null}
      {pruned !== null ? <PrunedNote kind={message.kind} pruned={pruned} /> : <DiffView text={message.body} />}
    </>
  );
}

function WebSearch({ message }: RowProps) {
  const meta = readMeta(WebSearchMeta, message.meta);
  const queries = message.body.split('\n').filter((q) => q.trim() !== '');
  const shown = queries.length > 0 ? queries : meta.query ? [meta.query] : [];
  const pruned = prunedOf(message.meta);
  return (
    <div className="search">
      {shown.length > 0 ? 'Searched the web for' : 'Searched the web'}
      {shown.length > 0 ? (
        <ul>
          {shown.map((q, i) => (
            <li key={i}>
              <code>{q}</code>
            </li>
          ))}
        </ul>
      ) : null}
      {pruned !== null ? <PrunedNote kind={message.kind} pruned={pruned} /> : null}
    </div>
  );
}

type Step = { step: string; status: 'pending' | 'inProgress' | 'completed' };
const MARKS: Record<string, Step['status']> = { x: 'completed', '~': 'inProgress', ' ': 'pending' };

/** Steps from meta, else from the body's `- [x] step` lines; other lines are the explanation. */
function planOf(message: Message): { steps: Step[]; text: string } {
  const meta = readMeta(PlanMeta, message.meta);
  const lines = message.body.split('\n');
  const parsed: Step[] = [];
  const rest: string[] = [];
  for (const line of lines) {
    const m = /^- \[([ x~])\] (.*)$/.exec(line);
    if (m) parsed.push({ step: m[2]!, status: MARKS[m[1]!] ?? 'pending' });
    else rest.push(line);
  }
  if (meta.steps) return { steps: meta.steps, text: rest.join('\n').trim() };
  return parsed.length > 0 ? { steps: parsed, text: rest.join('\n').trim() } : { steps: [], text: message.body };
}

function Plan({ message }: RowProps) {
  const { steps, text } = planOf(message);
  return (
    <>
      {text !== '' ? <Markdown text={text} /> : null}
      <ul className="plan">
        {steps.map((s, i) => (
          <li key={i} data-step-status={s.status}>
            <input type="checkbox" disabled checked={s.status === 'completed'} aria-label={s.status} />
            <span className={s.status === 'inProgress' ? 'in-progress' : ''}>{s.step}</span>
          </li>
        ))}
      </ul>
    </>
  );
}

const TerminalInput = ({ message }: RowProps) => <ClippedText text={message.body} limit={OUTPUT_LIMIT} ansi={false} />;

export const RENDERERS: { readonly [K in MessageKind]: ComponentType<RowProps> } = {
  text: HumanText,
  session: Session,
  notice: Notice,
  assistant: Assistant,
  reasoning: Reasoning,
  command: Command,
  file_change: FileChange,
  web_search: WebSearch,
  plan: Plan,
  terminal_input: TerminalInput,
  approval: HumanText,
  port_forward: PortForward,
};

export const KIND_LABELS: { readonly [K in MessageKind]: string } = {
  text: 'message',
  session: 'session',
  notice: 'notice',
  assistant: 'answer',
  reasoning: 'reasoning',
  command: 'command',
  file_change: 'file change',
  web_search: 'web search',
  plan: 'plan',
  terminal_input: 'terminal input',
  approval: 'approval',
  port_forward: 'port forward',
};
