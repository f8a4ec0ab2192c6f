// Password sign-in (POST /api/login): behind the sign-in guard, and one scrypt per attempt whether
// or not the user exists (an unknown name is checked against a dummy hash), so a refusal's timing
// does not tell which names exist. Both refusals read the same.

import { randomBytes } from 'node:crypto';
import { PilothouseError } from '@pilothouse/protocol';
import type { Store, User } from '../store/store.js';
import { hashPassword, verifyPassword } from './secrets.js';
import type { SignInGuard } from './sign-in-guard.js';

export interface LoginDeps {
  store: Pick<Store, 'userByName'>;
  guard: SignInGuard;
  /** Injectable for tests; default scrypt (secrets.ts). */
  verify?: (password: string, stored: string) => Promise<boolean>;
  /** The hash an unknown name (or a user without a password) is checked against. */
  dummyHash?: Promise<string>;
}

export function createLogin(deps: LoginDeps): (input: { name: string; password: string; address: string }) => Promise<User> {
  const verify = deps.verify ?? verifyPassword;
  // Made at the first need, not at start: every hub (and every test's) would pay a scrypt otherwise.
  let dummy = deps.dummyHash;
  const dummyHash = () => (dummy ??= hashPassword(randomBytes(16).toString('base64url')));
  return async ({ name, password, address }) => {
    const attempt = { name, address };
    deps.guard.check(attempt);
    const user = await deps.store.userByName(name);
    const ok = await verify(password, user?.passwordHash ?? (await dummyHash()));
    if (!user || !ok) {
      await deps.guard.refused(attempt, 'login_refused', { name, address });
      throw new PilothouseError('unauthorized', 'Wrong user name or password.');
    }
    deps.guard.succeeded(attempt);
    return user;
  };
}
