// Unified diffs (POSIX diff -u hunks) for Claude's file tools: Write, Edit, MultiEdit. Claude's
// tool input carries whole strings, not a patch; its tool result carries a `structuredPatch`
// (hunks with ' ', '-', '+' lines), preferred when present because it has line numbers.

import { z } from 'zod';

const hunk = z.object({ oldStart: z.number(), oldLines: z.number(), newStart: z.number(), newLines: z.number(), lines: z.array(z.string()) });
const patchResult = z.looseObject({ filePath: z.string().optional(), structuredPatch: z.array(hunk) });

const header = (path: string, created: boolean): string => `--- ${created ? '/dev/null' : path}\n+++ ${path}\n`;

function prefixed(text: string, prefix: string): string[] {
  if (text === '') return [];
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body.split('\n').map((line) => prefix + line);
}

/** One hunk replacing `before` with `after` (no line numbers known: Claude's input has none). */
function replacement(before: string, after: string): string {
  const removed = prefixed(before, '-');
  const added = prefixed(after, '+');
  return [`@@ -${removed.length === 0 ? 0 : 1},${removed.length} +${added.length === 0 ? 0 : 1},${added.length} @@`, ...removed, ...added].join('\n') + '\n';
}

/** The diff a file tool's input describes, or null for a tool that is not a file edit. */
export function inputDiff(tool: string, input: Readonly<Record<string, unknown>>): string | null {
  const path = typeof input.file_path === 'string' ? input.file_path : '';
  const str = (v: unknown): string => (typeof v === 'string' ? v : '');
  switch (tool) {
    case 'Write':
      return header(path, true) + replacement('', str(input.content));
    case 'Edit':
      return header(path, false) + replacement(str(input.old_string), str(input.new_string));
    case 'MultiEdit': {
      const edits = Array.isArray(input.edits) ? (input.edits as unknown[]) : [];
      const hunks = edits.map((e) => (typeof e === 'object' && e !== null ? replacement(str((e as Record<string, unknown>).old_string), str((e as Record<string, unknown>).new_string)) : ''));
      return header(path, false) + hunks.join('');
    }
    default:
      return null;
  }
}

/** The diff from a file tool's result (`tool_use_result.structuredPatch`), when it has hunks. */
export function resultDiff(path: string, result: unknown): string | null {
  const parsed = patchResult.safeParse(result);
  if (!parsed.success || parsed.data.structuredPatch.length === 0) return null;
  const created = (result as { type?: unknown }).type === 'create';
  const hunks = parsed.data.structuredPatch.map((h) => [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines].join('\n') + '\n');
  return header(parsed.data.filePath ?? path, created) + hunks.join('');
}
