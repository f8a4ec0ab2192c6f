// An in-app link: a real href (open in a new tab works), client-side navigation on a plain click.

import type { MouseEvent, ReactNode } from 'react';
import { navigate } from '../app/route.js';

export function Link({
  to,
  className,
  label,
  current,
  children,
}: {
  to: string;
  className?: string;
  /** accessible name, when the content is an icon */
  label?: string;
  /** the page it names is the one open (aria-current) */
  current?: boolean;
  children: ReactNode;
}) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} className={className} aria-label={label} aria-current={current ? 'page' : undefined} onClick={onClick}>
      {children}
    </a>
  );
}
