// The message box: Enter sends, Shift+Enter starts a new line (and Enter while an input method is
// composing does neither). A failed send keeps the text and says why.

import { useState, type KeyboardEvent } from 'react';

export interface ComposerProps {
  send: (body: string) => Promise<unknown>;
  placeholder: string;
  label: string;
  note?: string | undefined;
}

export function Composer({ send, placeholder, label, note }: ComposerProps) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    const body = text.trimEnd();
    if (body.trim() === '' || busy) return;
    setBusy(true);
    setError(null);
    send(body)
      .then(() => setText(''))
      .catch((err: Error) => setError(`Not sent: ${err.message}`))
      .finally(() => setBusy(false));
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key !== 'Enter' || e.shiftKey || e.nativeEvent.isComposing) return;
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
        <textarea aria-label="Message" rows={2} value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} />
        <button type="submit" className="primary" disabled={busy || text.trim() === ''}>
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
