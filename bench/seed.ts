// Bench support: a SQLite store with one channel, one member and that member's API token.

import { digest, newToken, Store } from '@pilothouse/hub';

/** Seeds `dataDir` with channel `WS/CH` and its member `user`; returns the member's token. */
export async function seedMember(dataDir: string, channelRef: string, user: string): Promise<string> {
  const store = await Store.open({ kind: 'sqlite', dataDir });
  try {
    const [workspace, channel] = channelRef.split('/') as [string, string];
    const ch = await store.createChannel({ workspace, channel });
    const u = await store.createUser({ name: user, passwordHash: null, admin: false });
    await store.addMember(ch.id, u.id);
    const token = newToken();
    await store.createToken({ userId: u.id, tokenHash: digest(token), label: 'bench' });
    return token;
  } finally {
    await store.close();
  }
}
