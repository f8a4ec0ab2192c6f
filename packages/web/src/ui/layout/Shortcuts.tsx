// Keyboard shortcuts, and the dialog that lists them: "?" (outside a text field) opens it, Esc
// closes it (the native <dialog> does that and keeps focus inside while open), "/" goes to the
// message box.

import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { Icon } from './icons.js';

const SHORTCUTS: [keys: string[], what: string][] = [
  [['Enter'], 'Send the message'],
  [['Shift', 'Enter'], 'New line in the message'],
  [['/'], 'Go to the message box'],
  [['Esc'], 'Close a dialog or the channel list'],
  [['?'], 'Show this list'],
];

/** True when the key press belongs to a text field (typing "?" there types it). */
function inTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export interface ShortcutsDialog {
  open(): void;
}

export const Shortcuts = forwardRef<ShortcutsDialog>(function Shortcuts(_props, ref) {
  const dialog = useRef<HTMLDialogElement>(null);
  useImperativeHandle(ref, () => ({ open: () => dialog.current?.showModal() }), []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || inTextField(e.target) || dialog.current?.open) return;
      if (e.key === '?') {
        e.preventDefault();
        dialog.current?.showModal();
      } else if (e.key === '/') {
        const box = document.querySelector<HTMLTextAreaElement>('.composer textarea');
        if (!box) return;
        e.preventDefault();
        box.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <dialog
      ref={dialog}
      className="dialog shortcuts"
      aria-labelledby="shortcuts-title"
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside its content) closes it.
        if (e.target === e.currentTarget) e.currentTarget.close();
      }}
    >
      <div className="dialog-body">
        <header className="dialog-head">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <button type="button" className="icon-button" aria-label="Close" onClick={() => dialog.current?.close()}>
            <Icon name="close" />
          </button>
        </header>
        <dl>
          {SHORTCUTS.map(([keys, what]) => (
            <div key={what} className="shortcut">
              <dt>
                {keys.map((k, i) => (
                  <span key={k}>
                    {i > 0 ? ' + ' : null}
                    <kbd>{k}</kbd>
                  </span>
                ))}
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </div>
    </dialog>
  );
});
