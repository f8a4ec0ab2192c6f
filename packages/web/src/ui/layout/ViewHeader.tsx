// A view's header: one line (menu button on narrow screens, back link, the title cut with an
// ellipsis, a details toggle), and the details below it: always shown on wide screens, on demand
// on narrow ones (styles/layout.css).

import { useId, useState, type ReactNode } from 'react';
import { Link } from '../Link.js';
import { Icon } from './icons.js';
import { MenuButton } from './drawer.js';
import { HeaderBell } from '../notifications/Bell.js';

export interface ViewHeaderProps {
  title: string;
  /** A link back up (the channel, from a thread). */
  back?: { to: string; label: string } | undefined;
  /** Shown under the title line; behind the details toggle on narrow screens. */
  details?: ReactNode;
  /** Kept on the title line at every width (e.g. who is watching). */
  aside?: ReactNode;
}

export function ViewHeader({ title, back, details, aside }: ViewHeaderProps) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <header className="view-head" data-details={open ? 'open' : 'closed'}>
      <div className="head-line">
        <MenuButton />
        {back ? (
          <Link to={back.to} className="back" label={`Back to ${back.label}`}>
            <Icon name="back" />
            <span className="back-label">{back.label}</span>
          </Link>
        ) : null}
        <h1 title={title}>{title}</h1>
        {aside}
        <HeaderBell />
        {details ? (
          <button type="button" className="icon-button details-toggle" aria-label="Details" aria-expanded={open} aria-controls={id} onClick={() => setOpen(!open)}>
            <Icon name="details" />
          </button>
        ) : null}
      </div>
      {details ? (
        <div className="head-details" id={id}>
          <p className="head-full-title">{title}</p>
          {details}
        </div>
      ) : null}
    </header>
  );
}
