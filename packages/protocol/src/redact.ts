// Credentials never reach a log line: one function that masks them in any text (URLs' `token`
// and `code` query parameters, bearer values, the phoenix client's token subprotocol, session
// cookies, `--token` arguments and `PILOTHOUSE_TOKEN=` assignments in command lines, and anything
// shaped like a Pilothouse API token), and one walk that applies it to a log record. Every logger
// the CLI makes (hub, runner, demo) runs both (cli/src/logger.ts). Pure.

export const REDACTED = '[redacted]';

/** Query parameters that carry credentials: ?token=…, &code=… (sign-in links, preview grants), access_token. */
const CREDENTIAL_PARAMS = new Set(['token', 'code', 'access_token', 'password']);

/** A query parameter's name as a server reads it: percent-decoded (`tok%65n` is `token`), `+` a space. */
function paramName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).trim().toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

const RULES: readonly [RegExp, string | ((...m: string[]) => string)][] = [
  // Query parameters by their decoded name, as the hub's own URL parser sees them.
  [/([?&])([^=&#\s"'<>?]+)=([^&#\s"'<>]+)/g, (all, sep, name) => (CREDENTIAL_PARAMS.has(paramName(name)) ? `${sep}${name}=${REDACTED}` : all)],
  // Authorization: Bearer …, Basic …
  [/\b(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, `$1${REDACTED}`],
  [/(authorization["']?\s*[:=]\s*["']?basic\s+)[A-Za-z0-9+/=]+/gi, `$1${REDACTED}`],
  // The phoenix client's token subprotocol (Sec-WebSocket-Protocol).
  [/(base64url\.bearer\.phx\.)[A-Za-z0-9_-]+/g, `$1${REDACTED}`],
  // Cookies: the hub's session and any preview grant cookie.
  [/\b(ph_[a-z_]*=)[^;\s"',]+/gi, `$1${REDACTED}`],
  // Command lines: --token X, --token=X, --password X, PILOTHOUSE_TOKEN=X.
  [/(--(?:token|password)(?:=|\s+))(?!-)[^\s"']+/gi, `$1${REDACTED}`],
  [/\b([A-Z_]*(?:TOKEN|PASSWORD|SECRET)=)[^\s"']+/g, `$1${REDACTED}`],
  // Anything shaped like an API token (`ph_` + 43 base64url characters), wherever it appears.
  [/\bph_[A-Za-z0-9_-]{32,}/g, `ph_${REDACTED}`],
];

/** `text` with every credential it carries replaced by [redacted]. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = typeof replacement === 'string' ? out.replace(pattern, replacement) : out.replace(pattern, replacement);
  return out;
}

const isPlain = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/**
 * A log record with redactSecrets applied to every string in it: plain objects and arrays are
 * walked (to a depth of 6), errors become `{type, message, stack, code?}`, other objects (a request,
 * a socket) are left to the logger's serializers.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      type: value.name,
      message: redactSecrets(value.message),
      ...(value.stack !== undefined ? { stack: redactSecrets(value.stack) } : {}),
      ...(code !== undefined ? { code } : {}),
      ...(value.cause !== undefined ? { cause: redactDeep(value.cause, depth + 1) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (!isPlain(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, depth + 1);
  return out;
}

/** Header values that are credentials, wherever a record carries headers (pino `redact` paths). */
export const CREDENTIAL_LOG_PATHS: readonly string[] = ['authorization', 'cookie', '"set-cookie"', '"sec-websocket-protocol"', '"proxy-authorization"'].flatMap((h) => [
  `headers.${h}`,
  `req.headers.${h}`,
  `res.headers.${h}`,
  `request.headers.${h}`,
]).map((p) => p.replace(/\."/g, '["').replace(/"$/, '"]'));
