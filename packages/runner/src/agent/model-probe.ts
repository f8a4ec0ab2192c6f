// Does anything answer HTTP at an agent's model URL? Any status counts (a server is there); a
// refused connection, a DNS failure or silence past the deadline does not. The session asks it
// while an agent that retries its model without a word (Gemini CLI over ACP) has been quiet for a
// while (session/unreachable.ts): the answer is what the agent would have said.

export type ModelProbeResult =
  | { readonly answered: true; readonly httpStatus: number }
  /** `problem`: what went wrong, as Node's network stack says it, e.g. `connect ECONNREFUSED 127.0.0.1:9`. */
  | { readonly answered: false; readonly problem: string };

export type ProbeFetch = (url: URL, init: RequestInit) => Promise<Response>;

const PROBE_TIMEOUT_MS = 5_000;

/** One GET of `url` (redirects not followed, the body not read). Never throws. */
export async function probeModel(url: string, opts: { readonly fetch?: ProbeFetch; readonly timeoutMs?: number } = {}): Promise<ModelProbeResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { answered: false, problem: `"${url}" is not a URL` };
  }
  const timeoutMs = opts.timeoutMs ?? PROBE_TIMEOUT_MS;
  try {
    const res = await (opts.fetch ?? fetch)(parsed, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    // Best effort: the answer is known, the body is not wanted.
    await res.body?.cancel().catch(() => undefined);
    return { answered: true, httpStatus: res.status };
  } catch (err) {
    return { answered: false, problem: fetchFailure(err, timeoutMs) };
  }
}

/** fetch's failure in Node's words: undici's "fetch failed" hides the cause (connect ECONNREFUSED …, getaddrinfo ENOTFOUND …). */
function fetchFailure(err: unknown, timeoutMs: number): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === 'TimeoutError') return `no answer within ${timeoutMs % 1000 === 0 ? `${timeoutMs / 1000} s` : `${timeoutMs} ms`}`;
  const cause: unknown = err.cause;
  if (cause instanceof Error) {
    // Both addresses of `localhost` refused: an AggregateError with an empty message.
    const inner = cause instanceof AggregateError ? (cause.errors.find((e): e is Error => e instanceof Error) ?? cause) : cause;
    const code = (inner as Error & { code?: unknown }).code;
    if (inner.message) return inner.message;
    if (typeof code === 'string') return code;
  }
  return err.message;
}
