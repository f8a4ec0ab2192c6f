// Finds a command the way a shell would: a path as given, else the first executable of that name
// on PATH. Used for the user's own `gemini` and for `--agent acp -- CMD`.

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false; // absent or not executable: not this one
  }
};

/** The executable `command` names (relative to `cwd` when it holds a slash), or null. */
export function which(command: string, env: NodeJS.ProcessEnv, cwd = process.cwd()): string | null {
  if (command.includes('/')) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    return executable(path) ? path : null;
  }
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const path = join(dir, command);
    if (executable(path)) return path;
  }
  return null;
}
