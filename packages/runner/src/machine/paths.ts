// Which folders the machine daemon may start a session in: a folder the owner trusted, or one
// below it, named by an absolute path without `..` whose real path (symlinks resolved) stays inside.

import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, normalize, sep } from 'node:path';
import { PilothouseError } from '@pilothouse/protocol';

/**
 * The real path of `requested` when it is a trusted folder or inside one. Refuses a relative path
 * (bad_request), a `..` segment (path_escape, checked before the disk is touched), a folder that no
 * longer exists (folder_not_trusted), a path that names a trusted folder but whose symlinks lead
 * out of it (path_escape), any other folder (folder_not_trusted), and a file (bad_request).
 */
export function resolveTrustedFolder(trusted: readonly string[], requested: string): string {
  if (!isAbsolute(requested)) {
    throw new PilothouseError('bad_request', `The folder ${requested} is not an absolute path; name it from the root (/…).`);
  }
  if (requested.split(/[\\/]/).includes('..')) {
    throw new PilothouseError('path_escape', `The folder ${requested} contains "..": name it without ".." segments.`);
  }
  const real = realPath(requested);
  if (real === null) {
    throw new PilothouseError('folder_not_trusted', `The folder ${requested} no longer exists; pick another folder or create it again.`);
  }
  const roots = trusted.map((t) => ({ given: lexicalPath(t), real: realPath(t) }));
  if (!roots.some((root) => root.real !== null && isWithin(root.real, real))) {
    const lexical = lexicalPath(requested);
    const via = roots.find((root) => isWithin(root.given, lexical) || (root.real !== null && isWithin(root.real, lexical)));
    if (via !== undefined) {
      throw new PilothouseError(
        'path_escape',
        `The folder ${requested} is inside the trusted folder ${via.given}, but a symlink leads it to ${real}, which is not trusted; use a folder inside ${via.given} or trust ${real}.`,
      );
    }
    throw new PilothouseError('folder_not_trusted', `The folder ${requested} is not one of this machine's trusted folders; trust it on the machine first.`);
  }
  if (!statSync(real).isDirectory()) {
    throw new PilothouseError('bad_request', `${requested} is a file, not a folder; pick the folder that holds it.`);
  }
  return real;
}

/** Whether `path` is `root` or below it (both normalised, absolute). */
function isWithin(root: string, path: string): boolean {
  const prefix = root.endsWith(sep) ? root : root + sep;
  return path === root || path.startsWith(prefix);
}

/** `path` normalised, without a trailing separator (except the root itself). */
function lexicalPath(path: string): string {
  const normal = normalize(path);
  return normal.length > 1 && normal.endsWith(sep) ? normal.slice(0, -1) : normal;
}

/** The real path, or null when it does not exist (or cannot be read). */
function realPath(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    // A missing folder or a dangling link: the caller says which folder and what to do.
    return null;
  }
}
