// Splicing two byte streams into one pipe both ways: the hub's preview proxy (browser socket ↔
// tunnel stream, after a 101) and the runner's tunnel client (dev server socket ↔ hub stream).

import type { Duplex } from 'node:stream';

/**
 * Both directions piped with half-close (an end is passed on as an end); an error or a close on
 * either side destroys both, so neither socket outlives the other.
 */
export function splice(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const destroy = () => {
    a.destroy();
    b.destroy();
  };
  a.once('error', destroy);
  b.once('error', destroy);
  a.once('close', destroy);
  b.once('close', destroy);
}
