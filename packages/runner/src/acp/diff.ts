// A unified diff (POSIX diff -u format) of one file from an ACP `diff` content block, which
// carries whole texts (oldText absent for a new file). One hunk around the changed middle, with
// up to three lines of context: enough to show an edit, without a diff algorithm.

const CONTEXT = 3;

function lines(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

const prefixed = (ls: readonly string[], mark: string): string => ls.map((l) => `${mark}${l}\n`).join('');

/** The diff that turns `oldText` (null: the file is new) into `newText`; '' when nothing changed. */
export function unifiedDiff(path: string, oldText: string | null | undefined, newText: string): string {
  const after = lines(newText);
  if (oldText === null || oldText === undefined) return `--- /dev/null\n+++ ${path}\n@@ -0,0 +1,${after.length} @@\n${prefixed(after, '+')}`;
  if (oldText === newText) return '';
  const before = lines(oldText);
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head++;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail++;
  const lead = Math.min(CONTEXT, head);
  const trail = Math.min(CONTEXT, tail);
  const removed = before.slice(head, before.length - tail);
  const added = after.slice(head, after.length - tail);
  const oldCount = lead + removed.length + trail;
  const newCount = lead + added.length + trail;
  // An empty range starts at the line before it (diff -u).
  const start = (count: number) => (count === 0 ? head - lead : head - lead + 1);
  return (
    `--- ${path}\n+++ ${path}\n@@ -${start(oldCount)},${oldCount} +${start(newCount)},${newCount} @@\n` +
    prefixed(before.slice(head - lead, head), ' ') +
    prefixed(removed, '-') +
    prefixed(added, '+') +
    prefixed(before.slice(before.length - tail, before.length - tail + trail), ' ')
  );
}
