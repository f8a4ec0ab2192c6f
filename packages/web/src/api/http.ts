// The hub's HTTP API as the browser uses it (docs/protocol.md §11): sign in (sets the HttpOnly
// `ph_session` cookie), sign out, who am I with my channels (the preview grant is in
// preview-grant.ts). Replies are parsed here, once. The sign-in page loads this module, so its
// schemas use zod's tree-shakable `zod/mini` API (zod's full API alone is ~28 KB gzip).

import * as z from 'zod/mini';

const User = z.object({ id: z.string(), name: z.string(), admin: z.boolean() });
export type User = z.infer<typeof User>;

const Me = z.object({ user: User, channels: z.array(z.object({ workspace: z.string(), name: z.string() })) });
export type Me = z.infer<typeof Me>;

const ErrorBody = z.object({ code: z.string(), message: z.string() });

/** A refused request: `code` is the hub's error code, or `network` when the hub was not reached. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What `call` needs of a schema: any zod schema (`zod` or `zod/mini`) has it. */
export interface Parser<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false };
}

export async function call<T>(schema: Parser<T>, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new HttpError(0, 'network', 'The hub cannot be reached.', { cause: err });
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = ErrorBody.safeParse(json);
    throw e.success ? new HttpError(res.status, e.data.code, e.data.message) : new HttpError(res.status, 'internal', `The hub answered ${res.status}.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new HttpError(res.status, 'internal', 'The hub sent an unexpected answer.');
  return parsed.data;
}

export const login = (name: string, password: string): Promise<User> =>
  call(z.object({ user: User }), 'POST', '/api/login', { name, password }).then((r) => r.user);

export const logout = (): Promise<unknown> => call(z.object({ ok: z.boolean() }), 'POST', '/api/logout');

export const fetchMe = (): Promise<Me> => call(Me, 'GET', '/api/me');

