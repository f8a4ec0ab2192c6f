// Trusted folders: the runner starts the agent only inside a folder the owner trusted (or below
// one). Kept as real paths in <home>/trusted.json, written atomically.

import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { z } from 'zod';
import { PilothouseError } from '@pilothouse/protocol';

const TrustFile = z.object({ version: z.literal(1), folders: z.array(z.string()) });

export class TrustStore {
  constructor(private readonly home: string) {}

  private get file(): string {
    return join(this.home, 'trusted.json');
  }

  list(): string[] {
    if (!existsSync(this.file)) return [];
    const parsed = TrustFile.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
    if (!parsed.success) throw new PilothouseError('bad_request', `${this.file} is not a valid trust file; fix or delete it.`);
    return parsed.data.folders;
  }

  /** Trusts `dir` (must exist and be a directory); returns its real path. */
  add(dir: string): string {
    const real = realDir(dir);
    const folders = this.list();
    if (!folders.includes(real)) this.write([...folders, real]);
    return real;
  }

  remove(dir: string): boolean {
    const real = existsSync(dir) ? realpathSync(dir) : dir;
    const folders = this.list();
    if (!folders.includes(real)) return false;
    this.write(folders.filter((f) => f !== real));
    return true;
  }

  /** The trusted folder that contains `dir`, or null. */
  trustedRoot(dir: string): string | null {
    const real = realDir(dir);
    return this.list().find((f) => real === f || real.startsWith(f.endsWith(sep) ? f : f + sep)) ?? null;
  }

  private write(folders: string[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: 1, folders }, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

function realDir(dir: string): string {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    throw new PilothouseError('not_found', `No such folder: ${dir}`);
  }
  if (!statSync(real).isDirectory()) throw new PilothouseError('bad_request', `${dir} is not a folder.`);
  return real;
}
