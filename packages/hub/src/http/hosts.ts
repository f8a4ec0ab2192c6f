// The Host names the hub answers (DNS rebinding: a hostile page whose name resolves to 127.0.0.1
// reaches the hub with its own name in Host, RFC 9110 §7.2). Allowed by default: the listen address
// and localhost, 127.0.0.1 and [::1], each with the listen port; plus configured names (a name
// without a port allows it on any port). Preview hosts never get here: the dispatch sends them to
// the preview proxy first. Pure.

export type HostCheck = (host: string | undefined) => boolean;

const WILDCARD = new Set(['0.0.0.0', '::', '[::]', '']);

const bracket = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/** Splits `name[:port]` (IPv6 in brackets); the port is null when absent. */
function split(entry: string): { name: string; port: string | null } {
  const text = entry.trim().toLowerCase().replace(/\.$/, '');
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(text);
  return m ? { name: m[1]!.replace(/\.$/, ''), port: m[2] ?? null } : { name: text, port: null };
}

/** `allowed`: names with or without `:port`, e.g. `pilothouse.example.com` or `10.0.0.5:4860`. */
export function hostCheck(input: { listenHost: string; port: number; allowed?: readonly string[] }): HostCheck {
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  const port = String(input.port);
  const defaults = ['localhost', '127.0.0.1', '[::1]', ...(WILDCARD.has(input.listenHost) ? [] : [bracket(input.listenHost.toLowerCase())])];
  for (const name of defaults) {
    exact.add(`${name}:${port}`);
    if (input.port === 80) exact.add(name); // a Host header omits the scheme's default port
  }
  for (const entry of input.allowed ?? []) {
    const { name, port: p } = split(entry);
    if (p === null) anyPort.add(name);
    else exact.add(`${name}:${p}`);
  }
  return (host) => {
    if (host === undefined) return false;
    const { name, port: p } = split(host);
    return anyPort.has(name) || exact.has(p === null ? name : `${name}:${p}`);
  };
}
