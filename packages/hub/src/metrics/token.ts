// The rule for the `/metrics` scrape token, once for `pilothouse hub` (a usage error when the flag
// is read) and `startHub` (a configuration error before anything opens). A token that anyone can
// guess is worse than none: without one only this machine (loopback) may scrape; with one, anyone
// who presents it may, from anywhere. An empty one even matches a crafted header: routes.ts trims
// what follows `Bearer ` with String#trim, which also drops a no-break space that HTTP keeps. Pure.

/** The shortest token accepted (`openssl rand -hex 32` gives 64 characters). */
export const MIN_METRICS_TOKEN_LENGTH = 16;

/** What is wrong with this scrape token, as the end of a sentence about it; null when it may be used. */
export function metricsTokenProblem(token: string): string | null {
  if (token === '') return 'is empty, which would let anyone scrape /metrics';
  // routes.ts compares the header's value trimmed, so such a token could never match.
  if (token.trim() !== token) return 'starts or ends with white space, which no Authorization header can carry';
  if (token.length < MIN_METRICS_TOKEN_LENGTH) return `has ${token.length} characters, too few to resist guessing`;
  return null;
}
