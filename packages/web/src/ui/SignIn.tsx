// Sign-in: name and password to POST /api/login, which sets the session cookie. Says clearly why
// it did not work (wrong password, hub unreachable) and why the person is here (session expired).

import { useState } from 'react';
import { login, HttpError, type User } from '../api/http.js';

function why(err: unknown): string {
  if (!(err instanceof HttpError)) return 'Something went wrong; try again.';
  switch (err.code) {
    case 'unauthorized':
      return 'Wrong user name or password.';
    case 'invalid_payload':
      return 'Enter your user name (letters, digits, ".", "-", "_") and your password.';
    case 'network':
      return 'The hub cannot be reached. Is it running?';
    default:
      return err.message;
  }
}

export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (user: User) => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main className="signin">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          login(name.trim(), password)
            .then(onSignedIn)
            .catch((err: unknown) => setError(why(err)))
            .finally(() => setBusy(false));
        }}
      >
        <h1>Pilothouse</h1>
        <p className="muted">Watch and steer coding agents with your team.</p>
        {notice ? (
          <p className="notice-box" role="status">
            {notice}
          </p>
        ) : null}
        <label>
          User name
          <input name="name" autoComplete="username" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
