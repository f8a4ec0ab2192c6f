// The message box: Enter sends, Shift+Enter starts a new line, and Enter while an input method is
// composing does neither. A send clears only the text it sent once the hub acknowledges it, so
// what was typed meanwhile stays (state/drafts.ts `afterSend`); a failed send keeps the text and
// says why. The unsent text is kept per thread across reloads (app/drafts.ts).

import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { loadDraft, saveDraft } from '../app/drafts.js';
import { afterSend } from '../state/drafts.js';

export interface ComposerProps {
  send: (body: string) => Promise<unknown>;
  /** Where the unsent text is kept (app/drafts.ts `draftKey`). */
  draftKey: string;
  placeholder: string;
  label: string;
  note?: string | undefined;
}

/** Enter that ends an IME composition: Chromium and Firefox flag it, Safari sends keyCode 229. */
const composing = (e: KeyboardEvent) => e.nativeEvent.isComposing || e.keyCode === 229;

export function Composer({ send, draftKey, placeholder, label, note }: ComposerProps) {
  const [text, setText] = useState(() => loadDraft(draftKey));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The same component may be reused for another thread: load that thread's draft.
  const shownKey = useRef(draftKey);
  useEffect(() => {
    if (shownKey.current === draftKey) return;
    shownKey.current = draftKey;
    setText(loadDraft(draftKey));
    setError(null);
  }, [draftKey]);
  const edit = (next: string) => {
    setText(next);
    saveDraft(draftKey, next);
  };
  const submit = () => {
    const sent = text;
    const body = sent.trimEnd();
    if (body.trim() === '' || busy) return;
    const key = draftKey;
    setBusy(true);
    setError(null);
    send(body)
      .then(() => {
        if (shownKey.current !== key) {
          saveDraft(key, afterSend(loadDraft(key), sent));
          return;
        }
        setText((current) => {
          const rest = afterSend(current, sent);
          saveDraft(key, rest);
          return rest;
        });
      })
      .catch((err: Error) => setError(`Not sent: ${err.message}`))
      .finally(() => setBusy(false));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key !== 'Enter' || e.shiftKey || composing(e)) return;
    e.preventDefault();
    submit();
  };
  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {note ? <p className="composer-note">{note}</p> : null}
      <div className="composer-row">
        <textarea aria-label="Message" rows={2} value={text} placeholder={placeholder} onChange={(e) => edit(e.target.value)} onKeyDown={onKeyDown} />
        <button type="submit" className="primary" aria-busy={busy} disabled={busy || text.trim() === ''}>
          {label}
        </button>
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
