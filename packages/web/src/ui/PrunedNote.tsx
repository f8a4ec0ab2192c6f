// Where a row's output was before the hub's retention emptied it: a quiet note instead of an empty
// output block or a diff that does not parse (render/pruned.ts has the words).

import type { MessageKind } from '@pilothouse/protocol';
import { prunedText, type Pruned } from '../render/pruned.js';
import { fullTime } from '../render/time.js';

export function PrunedNote({ kind, pruned }: { kind: MessageKind; pruned: Pruned }) {
  return (
    <p className="pruned-note" data-pruned-after-days={pruned.afterDays} title={`Emptied ${fullTime(pruned.at)} by the hub's retention setting; the rest of the row is kept.`}>
      {prunedText(kind, pruned)}
    </p>
  );
}
