// Client ids for pushes (the hub de-duplicates retries by them). crypto.randomUUID needs a secure
// context, which a hub on a LAN address over http is not; getRandomValues works everywhere.
export function newClientId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
