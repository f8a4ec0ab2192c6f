// The page: signed out → the sign-in form; signed in → the signed-in shell (Shell.tsx), loaded on
// demand so the sign-in page fetches neither the socket client nor the thread renderer. An expired
// session ends back at sign-in with a message.

import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { assertNever } from '@pilothouse/protocol';
import { fetchMe, HttpError, logout, type Me } from '../api/http.js';
import { SignIn } from './SignIn.js';

const Shell = lazy(() => import('./Shell.js').then((m) => ({ default: m.Shell })));

/**
 * Starts fetching the signed-in code (the shell and both views) at once, in parallel, instead of
 * one chunk after another as each renders: when this browser was signed in before (the page
 * likely opens signed in) and again once the sign-in is confirmed. Repeated calls cost nothing.
 */
function preloadSignedIn(): void {
  void Promise.all([import('./Shell.js'), import('./ThreadView.js'), import('./ChannelView.js')]).catch(() => undefined);
}

type Auth = { status: 'checking' } | { status: 'out'; notice: string | null } | { status: 'in'; me: Me };

/** Remembers that this browser was signed in, so a 401 later reads "expired", not "signed out". */
const SIGNED_IN = 'pilothouse.signedIn';
const EXPIRED = 'Your session expired; sign in again.';

export function App() {
  const [auth, setAuth] = useState<Auth>({ status: 'checking' });
  const check = useCallback(() => {
    if (localStorage.getItem(SIGNED_IN) === '1') preloadSignedIn();
    fetchMe().then(
      (me) => {
        preloadSignedIn();
        localStorage.setItem(SIGNED_IN, '1');
        setAuth({ status: 'in', me });
      },
      (err: unknown) => {
        const was = localStorage.getItem(SIGNED_IN) === '1';
        localStorage.removeItem(SIGNED_IN);
        const unauthorized = err instanceof HttpError && err.code === 'unauthorized';
        setAuth({ status: 'out', notice: unauthorized ? (was ? EXPIRED : null) : err instanceof Error ? err.message : String(err) });
      },
    );
  }, []);
  useEffect(check, [check]);
  const onExpired = useCallback(() => {
    localStorage.removeItem(SIGNED_IN);
    setAuth({ status: 'out', notice: EXPIRED });
  }, []);
  const onSignOut = useCallback(() => {
    void logout()
      .catch(() => undefined)
      .then(() => {
        localStorage.removeItem(SIGNED_IN);
        setAuth({ status: 'out', notice: 'You signed out.' });
      });
  }, []);
  switch (auth.status) {
    case 'checking':
      return <p className="placeholder">Loading…</p>;
    case 'out':
      return <SignIn notice={auth.notice} onSignedIn={check} />;
    case 'in':
      return (
        <Suspense fallback={<p className="placeholder">Loading…</p>}>
          <Shell me={auth.me} onSignOut={onSignOut} onExpired={onExpired} />
        </Suspense>
      );
    default:
      return assertNever(auth, 'auth state');
  }
}
