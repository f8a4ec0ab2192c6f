// The bell with the unread count. In the sidebar it opens the centre as a panel beside it (on
// phones, where the sidebar is a drawer, it goes to the /notifications page); in a view's header
// (shown on phones only, styles/notifications.css) it is a link to that page.

import { useEffect, useId, useRef, useState } from 'react';
import { NOTIFICATIONS_PATH, navigate, usePath } from '../../app/route.js';
import { bellLabel } from '../../state/notifications.js';
import { Icon } from '../layout/icons.js';
import { Link } from '../Link.js';
import { PHONE_QUERY, useCentre, useNotifications } from './context.js';
import { NotificationList } from './NotificationList.js';

function Count({ unread }: { unread: number }) {
  return unread > 0 ? (
    <span className="bell-count" aria-hidden="true">
      {unread > 99 ? '99+' : unread}
    </span>
  ) : null;
}

export function SidebarBell({ current }: { current: boolean }) {
  const centre = useCentre();
  const state = useNotifications(centre);
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      // Handled here: the drawer's own Esc must not also act on it.
      e.preventDefault();
      setOpen(false);
      button.current?.focus();
    };
    const onDown = (e: PointerEvent) => {
      if (!(e.target instanceof Node) || !wrap.current?.contains(e.target)) setOpen(false);
    };
    window.addEventListener('keydown', onKey);
    window.addEventListener('pointerdown', onDown);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('pointerdown', onDown);
    };
  }, [open]);
  if (!centre || !state) return null;
  return (
    <div
      className="bell-wrap"
      ref={wrap}
      onClick={(e) => {
        // Choosing an item (or the settings link) closes the panel.
        if (e.target instanceof Element && e.target.closest('.bell-panel a')) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        className="icon-button bell"
        aria-label={bellLabel(state.unread)}
        aria-expanded={open}
        aria-controls={panelId}
        aria-current={current ? 'page' : undefined}
        data-unread={state.unread}
        onClick={() => {
          if (window.matchMedia(PHONE_QUERY).matches) navigate(NOTIFICATIONS_PATH);
          else {
            if (!open) void centre.refresh();
            setOpen(!open);
          }
        }}
      >
        <Icon name="bell" />
        <Count unread={state.unread} />
      </button>
      {open ? (
        <section className="bell-panel" id={panelId} aria-label="Notifications">
          <h2 className="bell-panel-title">Notifications</h2>
          <NotificationList centre={centre} state={state} />
        </section>
      ) : null}
    </div>
  );
}

export function HeaderBell() {
  const centre = useCentre();
  const state = useNotifications(centre);
  const path = usePath();
  if (!centre || !state) return null;
  return (
    <Link to={NOTIFICATIONS_PATH} className="icon-button bell header-bell" label={bellLabel(state.unread)} current={path === NOTIFICATIONS_PATH}>
      <Icon name="bell" />
      <Count unread={state.unread} />
    </Link>
  );
}
