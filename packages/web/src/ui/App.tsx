// The page: signed out → the sign-in form; signed in → the signed-in shell (Shell.tsx), loaded on
// demand so the sign-in page fetches neither the socket client nor the thread renderer. An expired
// session ends back at sign-in with a message.

import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { assertNever } from '@pilothouse/protocol';
import { fetchMe, HttpError, logout, type Me } from '../api/http.js';
import { SignIn } from './SignIn.js';

const Shell = lazy(() => import('./Shell.js').then((m) => ({ default: m.Shell })));

type Auth = { status: 'checking' } | { status: 'out'; notice: string | null } | { status: 'in'; me: Me };

/** Remembers that this browser was signed in, so a 401 later reads "expired", not "signed out". */
const SIGNED_IN = 'pilothouse.signedIn';
const EXPIRED = 'Your session expired; sign in again.';

export function App() {
  const [auth, setAuth] = useState<Auth>({ status: 'checking' });
  const check = useCallback(() => {
    fetchMe().then(
      (me) => {
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
