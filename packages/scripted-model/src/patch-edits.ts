// An `apply_patch` text (Codex's `*** Begin Patch` format) read as plain file edits, so the
// Anthropic and Gemini encoders can offer the same change with their agents' own file tools.
import { isAbsolute, posix } from 'node:path';

export type FileEdit =
  | { readonly kind: 'add'; readonly path: string; readonly content: string }
  /** One hunk: `oldText` (context and removed lines) becomes `newText` (context and added lines). */
  | { readonly kind: 'update'; readonly path: string; readonly oldText: string; readonly newText: string }
  | { readonly kind: 'delete'; readonly path: string };

const HEADER = /^\*\*\* (Add|Update|Delete) File: (.+)$/;

/** Pure: the edits of a patch, in order; one `update` per `@@` hunk. Lines it does not know are ignored. */
export function patchEdits(patch: string): FileEdit[] {
  const edits: FileEdit[] = [];
  let file: { kind: 'Add' | 'Update' | 'Delete'; path: string } | undefined;
  let lines: string[] = [];
  const flush = () => {
    if (!file) return;
    if (file.kind === 'Add') edits.push({ kind: 'add', path: file.path, content: lines.map((l) => l.slice(1)).join('\n') + '\n' });
    if (file.kind === 'Update' && lines.length > 0) {
      const side = (keep: string) => lines.filter((l) => l[0] === ' ' || l[0] === keep).map((l) => l.slice(1)).join('\n');
      edits.push({ kind: 'update', path: file.path, oldText: side('-'), newText: side('+') });
    }
    lines = [];
  };
  for (const line of patch.split('\n')) {
    const header = HEADER.exec(line);
    if (header) {
      flush();
      file = { kind: header[1] as 'Add' | 'Update' | 'Delete', path: header[2]!.trim() };
      if (file.kind === 'Delete') edits.push({ kind: 'delete', path: file.path });
    } else if (line.startsWith('@@')) {
      flush();
    } else if (line.startsWith('*** ')) {
      flush(); // *** End Patch, *** End of File, *** Move to: (a move is not translated)
      if (line.startsWith('*** End Patch')) file = undefined;
    } else if (file && file.kind !== 'Delete' && (line[0] === '+' || line[0] === '-' || line[0] === ' ')) {
      lines.push(line);
    }
  }
  flush();
  return edits;
}

/** `path` made absolute against the agent's working directory, when the request told us one. */
export function resolvePath(path: string, cwd: string | undefined): string {
  return cwd === undefined || isAbsolute(path) ? path : posix.join(cwd, path);
}
