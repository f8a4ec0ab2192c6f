// Vitest's global setup: compile the Node packages (tsc -b, incremental: about a second when
// nothing changed), so that every `pilothouse` a test spawns runs the code under test.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-b', join(import.meta.dirname, '..', 'tsconfig.build.json')], { stdio: 'inherit' });
}
