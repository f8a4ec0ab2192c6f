// One-time sign-in codes: created for a user (already hashed: auth/ owns the secret), exchanged at
// most once before they expire. The exchange is one conditional UPDATE, so two concurrent
// exchanges of the same code cannot both win.

import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

/** Used and expired codes are kept this long (so a late click says "used", not "unknown"), then deleted. */
const KEEP_MS = 24 * 3600 * 1000;

export type CodeExchange =
  | { readonly ok: true; readonly userId: string; readonly next: string | null }
  | { readonly ok: false; readonly reason: 'unknown' | 'used' | 'expired' };

export async function createSignInCode(db: Db, input: { codeHash: string; userId: string; next: string | null; expiresAt: Date }, now = new Date()): Promise<void> {
  // Bounded: whoever creates a code also sweeps the long-dead ones.
  await db.deleteFrom('sign_in_codes').where('expires_at', '<', new Date(now.getTime() - KEEP_MS).toISOString()).execute();
  await db
    .insertInto('sign_in_codes')
    .values({ code_hash: input.codeHash, user_id: input.userId, next_path: input.next, expires_at: input.expiresAt.toISOString(), used_at: null, created_at: now.toISOString() })
    .execute();
}

export async function exchangeSignInCode(db: Db, codeHash: string, now: Date): Promise<CodeExchange> {
  const at = now.toISOString();
  const won = await db
    .updateTable('sign_in_codes')
    .set({ used_at: at })
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', at)
    .returning(['user_id', 'next_path'])
    .executeTakeFirst();
  if (won) return { ok: true, userId: won.user_id, next: won.next_path };
  const row = await db.selectFrom('sign_in_codes').select(['used_at']).where('code_hash', '=', codeHash).executeTakeFirst();
  if (!row) return { ok: false, reason: 'unknown' };
  return { ok: false, reason: row.used_at !== null ? 'used' : 'expired' };
}
