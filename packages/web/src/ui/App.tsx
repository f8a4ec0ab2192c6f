// The page: signed out → the sign-in form; signed in → the signed-in shell (Shell.tsx), loaded on
// demand so the sign-in page fetches neither the socket client nor the thread renderer. An expired
// session ends back at sign-in with a message.

import { useCallback, useEffect, useState } from 'react';
import { assertNever } from '@pilothouse/protocol';
import { fetchMe, HttpError, logout, type Me } from '../api/http.js';
import { dropEarlySocket, openEarlySocket } from '../api/early-socket.js';
import { prepareTimeFormats } from '../render/time.js';
import { SignIn } from './SignIn.js';

type ShellView = (typeof import('./Shell.js'))['Shell'];

let signedInCode: Promise<ShellView> | null = null;
/**
 * The signed-in code (the shell and both views, one chunk group fetched in parallel). It starts
 * loading as soon as the page is likely signed in (this browser was before) and the page renders
 * it only once it is here, without a Suspense boundary: React holds a revealed boundary back for
 * up to 300 ms, which was a third of a thread's open time. A failed load is tried again next time.
 */
function loadSignedIn(): Promise<ShellView> {
  signedInCode ??= import('./Shell.js').then(
    (m) => m.Shell,
    (err: unknown) => {
      signedInCode = null;
      throw err;
    },
  );
  return signedInCode;
}

type Auth = { status: 'checking' } | { status: 'out'; notice: string | null } | { status: 'in'; me: Me; Shell: ShellView };

/** Remembers that this browser was signed in, so a 401 later reads "expired", not "signed out". */
const SIGNED_IN = 'pilothouse.signedIn';
const EXPIRED = 'Your session expired; sign in again.';

/**
 * Who is signed in, asked as this module loads rather than after React's first render, together
 * with the signed-in code and the socket (api/early-socket.ts) when this browser was signed in
 * before. The first check takes it.
 */
let firstMe: Promise<Me> | null = startCheck();

function startCheck(): Promise<Me> {
  if (localStorage.getItem(SIGNED_IN) === '1') {
    void loadSignedIn().catch(() => undefined);
    openEarlySocket();
  }
  const me = fetchMe();
  me.catch(() => dropEarlySocket());
  // While the answer travels: the time formatters every row needs (render/time.ts).
  setTimeout(prepareTimeFormats, 0);
  return me;
}

export function App() {
  const [auth, setAuth] = useState<Auth>({ status: 'checking' });
  const check = useCallback(() => {
    const me = firstMe ?? startCheck();
    firstMe = null;
    me.then(
      (me) => {
        localStorage.setItem(SIGNED_IN, '1');
        loadSignedIn().then(
          (Shell) => setAuth({ status: 'in', me, Shell }),
          (err: unknown) => setAuth({ status: 'out', notice: `The page could not load (${err instanceof Error ? err.message : String(err)}); reload to try again.` }),
        );
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
      return <auth.Shell me={auth.me} onSignOut={onSignOut} onExpired={onExpired} />;
    default:
      return assertNever(auth, 'auth state');
  }
}
