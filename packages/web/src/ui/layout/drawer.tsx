// The channel list as a drawer on narrow screens: the shell owns whether it is open; the menu
// button in each view's header opens it; Esc, a tap on the scrim or choosing a channel closes it
// (docs: packages/web/README.md, "Layout"). On wide screens the list is always there and the
// button is hidden by CSS (styles/layout.css).

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode, type RefObject } from 'react';
import { Icon } from './icons.js';

interface Drawer {
  open: boolean;
  setOpen: (open: boolean) => void;
  menuButton: RefObject<HTMLButtonElement | null>;
}

const DrawerContext = createContext<Drawer | null>(null);

export const DRAWER_ID = 'channel-drawer';

/** Drawer state for the shell; closes whenever `path` changes (a channel was chosen). */
export function useDrawerState(path: string): Drawer {
  const [open, setOpenState] = useState(false);
  const menuButton = useRef<HTMLButtonElement | null>(null);
  const setOpen = useCallback((next: boolean) => {
    setOpenState(next);
    // Focus follows: into the list when it opens, back to the button when it closes.
    requestAnimationFrame(() => {
      if (next) document.querySelector<HTMLElement>(`#${DRAWER_ID} a, #${DRAWER_ID} button`)?.focus();
      else if (document.activeElement === document.body || document.getElementById(DRAWER_ID)?.contains(document.activeElement)) menuButton.current?.focus();
    });
  }, []);
  useEffect(() => setOpenState(false), [path]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, setOpen]);
  return useMemo(() => ({ open, setOpen, menuButton }), [open, setOpen]);
}

export function DrawerProvider({ drawer, children }: { drawer: Drawer; children: ReactNode }) {
  return <DrawerContext.Provider value={drawer}>{children}</DrawerContext.Provider>;
}

/** The header's menu button (shown on narrow screens only). */
export function MenuButton() {
  const drawer = useContext(DrawerContext);
  if (!drawer) return null;
  return (
    <button
      ref={drawer.menuButton}
      type="button"
      className="icon-button menu-button"
      aria-label="Channels"
      aria-controls={DRAWER_ID}
      aria-expanded={drawer.open}
      onClick={() => drawer.setOpen(!drawer.open)}
    >
      <Icon name="menu" />
    </button>
  );
}
