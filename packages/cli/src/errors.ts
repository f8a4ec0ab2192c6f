// The one place where errors become a CLI line and an exit code.

import { PilothouseError } from '@pilothouse/protocol/lite';

export class UsageError extends Error {}

export function exitWith(err: unknown): never {
  if (err instanceof UsageError) {
    process.stderr.write(`pilothouse: ${err.message}\n`);
    process.exit(2);
  }
  if (err instanceof PilothouseError) {
    process.stderr.write(`pilothouse: ${err.message}\n`);
    process.exit(1);
  }
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE') {
    process.stderr.write(`pilothouse: the address is already in use (${e.message}); pick another --port.\n`);
    process.exit(1);
  }
  if (e?.code === 'ECONNREFUSED') {
    process.stderr.write(`pilothouse: cannot reach the database (${e.message}).\n`);
    process.exit(1);
  }
  process.stderr.write(`pilothouse: ${e instanceof Error ? e.message : String(err)}\n`);
  process.exit(1);
}
