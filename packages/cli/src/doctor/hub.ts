// The hub: reachable (GET /healthz), and the token accepted (GET /api/me with a bearer token).

import { ok, fail, skip, type CheckResult } from './result.js';

export type Fetch = typeof fetch;

export interface HubDeps {
  readonly hub: string | undefined;
  readonly fetch: Fetch;
  readonly timeoutMs?: number;
}

const HUB_FIX = 'start the hub (`pilothouse hub`), or pass the right URL with --hub / PILOTHOUSE_HUB';

const endpoint = (hub: string, path: string): string => `${hub.replace(/\/+$/, '')}${path}`;

/** Why a fetch got no answer: `ECONNREFUSED`, `ENOTFOUND`, `timed out`…. */
export function fetchProblem(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? (e instanceof Error ? e.message : String(err));
}

function validUrl(hub: string): boolean {
  try {
    const u = new URL(hub);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Returns the result and whether the hub answered, so the token check knows whether to try. */
export async function checkHub(deps: HubDeps): Promise<{ result: CheckResult; reachable: boolean }> {
  const { hub } = deps;
  if (!hub) return { result: skip('hub', 'no hub given (pass --hub or set PILOTHOUSE_HUB to check it)'), reachable: false };
  if (!validUrl(hub)) return { result: fail('hub', `"${hub}" is not an http(s) URL`, 'pass the hub URL, e.g. --hub http://127.0.0.1:4860'), reachable: false };
  try {
    const res = await deps.fetch(endpoint(hub, '/healthz'), { signal: AbortSignal.timeout(deps.timeoutMs ?? 5_000) });
    const body = (await res.json().catch(() => null)) as { ok?: unknown } | null;
    if (res.status === 200 && body?.ok === true) return { result: ok('hub', `${hub} is up`), reachable: true };
    return { result: fail('hub', `${hub}/healthz answered ${res.status}, not a Pilothouse hub's {"ok":true}`, HUB_FIX), reachable: false };
  } catch (err) {
    return { result: fail('hub', `cannot reach ${hub} (${fetchProblem(err)})`, HUB_FIX), reachable: false };
  }
}

export async function checkToken(deps: HubDeps & { token: string | undefined; reachable: boolean }): Promise<CheckResult> {
  const { hub, token } = deps;
  if (!hub) return skip('token', 'no hub given');
  if (!deps.reachable) return skip('token', 'the hub is not reachable');
  if (!token) return fail('token', 'no token given', 'pass --token or set PILOTHOUSE_TOKEN; create one on the hub with `pilothouse token create --user NAME`');
  try {
    const res = await deps.fetch(endpoint(hub, '/api/me'), { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(deps.timeoutMs ?? 5_000) });
    if (res.status === 401) return fail('token', `${hub} refused the token`, 'create a new one on the hub with `pilothouse token create --user NAME` and pass it with --token / PILOTHOUSE_TOKEN');
    if (res.status !== 200) return fail('token', `${hub}/api/me answered ${res.status}`, 'check the hub\'s log; the token could not be verified');
    const body = (await res.json()) as { user?: { name?: unknown }; credential?: { scope?: unknown }; channels?: unknown[] };
    const name = typeof body.user?.name === 'string' ? body.user.name : '?';
    const channels = Array.isArray(body.channels) ? body.channels.length : 0;
    if (body.credential?.scope === 'member') {
      return fail('token', `accepted as ${name}, but scoped member: \`pilothouse run\` needs a runner token`, `create one on the hub with \`pilothouse token create --user ${name} --scope runner\``);
    }
    return ok('token', `accepted as ${name} (member of ${channels} channel${channels === 1 ? '' : 's'})`);
  } catch (err) {
    return fail('token', `cannot verify the token with ${hub} (${fetchProblem(err)})`, HUB_FIX);
  }
}
