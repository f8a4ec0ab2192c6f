// A `port_forward` row: a port the agent's processes listen on, and what became of it. While it
// waits, the approval (live for the allowed only; the runner checks again); once served, an
// "Open preview" button that asks the hub for a one-time link and opens it in a new tab; after
// that, denied / revoked / closed with the reason. Selectors for tests: `data-phase`,
// `data-port`, `data-preview-id`, `data-request-id`, buttons `data-choice` / `data-action`.

import { useState } from 'react';
import { HttpError } from '../api/http.js';
import { grantPreview } from '../api/preview-grant.js';
import { phaseText, portForwardControl, portForwardView } from '../render/port-forward.js';
import { ApprovalPrompt } from './ApprovalPrompt.js';
import { Markdown } from './Markdown.js';
import type { RowProps } from './renderers.js';

export function PortForward({ message, ctx }: RowProps) {
  const view = portForwardView(message);
  if (view === null) return <Markdown text={message.body} />;
  return (
    <section
      className={`port-forward phase-${view.phase}`}
      aria-label={`Port ${view.port}`}
      data-phase={view.phase}
      data-port={view.port}
      {...(view.previewId ? { 'data-preview-id': view.previewId } : {})}
      {...(view.requestId ? { 'data-request-id': view.requestId } : {})}
    >
      <Markdown text={message.body} />
      <div className="facts">
        <span className="port-number">port {view.port}</span>
        <span className="port-process">{view.process ?? 'process not seen yet'}</span>
        {view.cwd ? <span title="working directory">{view.cwd}</span> : null}
        <span className={`port-phase phase-${view.phase}`}>{phaseText(view)}</span>
      </div>
      {view.approval ? <ApprovalPrompt approval={view.approval} ctx={ctx} action={(a, choice) => portForwardControl(a.request_id, choice)} /> : null}
      {view.phase === 'ready' && view.previewId ? <OpenPreview previewId={view.previewId} /> : null}
    </section>
  );
}

function OpenPreview({ previewId }: { previewId: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  const [link, setLink] = useState<string | null>(null);
  const open = () => {
    setBusy(true);
    setError(null);
    setLink(null);
    grantPreview(previewId)
      .then(({ url }) => {
        // No handle on the new tab, and it gets none on this page.
        window.open(url, '_blank', 'noopener');
        setLink(url);
      })
      .catch((err: unknown) => setError(err instanceof HttpError ? { code: err.code, message: err.message } : { code: 'internal', message: String(err) }))
      .finally(() => setBusy(false));
  };
  return (
    <div className="preview-open">
      <div className="choices">
        <button type="button" className="primary" data-action="open-preview" data-preview-id={previewId} disabled={busy} onClick={open}>
          {busy ? 'Opening…' : 'Open preview'}
        </button>
      </div>
      {error ? (
        <p className="error" role="alert" data-error-code={error.code}>
          Could not open the preview: {error.message}
        </p>
      ) : null}
      {link ? (
        <p className="approval-who" data-preview-link="">
          A new tab should have opened. If it did not,{' '}
          <a href={link} target="_blank" rel="noopener noreferrer">
            open the preview here
          </a>{' '}
          (the link works once, briefly).
        </p>
      ) : null}
    </div>
  );
}
