// What a command row is doing, in the words the UI shows: awaiting approval, running,
// background (still listening), completed, failed, interrupted, declined. From the row's status
// and the runner's CommandRowMeta `activity` (docs/protocol.md §7 "Row meta"), never guessed.

import { assertNever, CommandRowMeta, type Message } from '@pilothouse/protocol';

export type CommandState =
  | { readonly state: 'awaiting_approval' }
  | { readonly state: 'running' }
  | { readonly state: 'background'; readonly ports: readonly number[] }
  | { readonly state: 'completed' | 'failed' | 'interrupted' | 'declined' };

export function commandState(message: Pick<Message, 'status' | 'meta'>): CommandState {
  const parsed = CommandRowMeta.safeParse(message.meta ?? {});
  const meta = parsed.success ? parsed.data : {};
  const status = message.status ?? 'completed';
  switch (status) {
    case 'streaming':
      return meta.activity === 'awaiting_approval' ? { state: 'awaiting_approval' } : { state: 'running' };
    case 'completed':
      return meta.activity === 'background' ? { state: 'background', ports: meta.ports ?? [] } : { state: 'completed' };
    case 'failed':
    case 'interrupted':
    case 'declined':
      return { state: status };
    default:
      return assertNever(status, 'row status');
  }
}

/** The chip's words and tone. */
export function commandLabel(s: CommandState): { text: string; tone: 'busy' | 'wait' | 'ok' | 'bad' | 'muted' } {
  switch (s.state) {
    case 'awaiting_approval':
      return { text: 'awaiting approval', tone: 'wait' };
    case 'running':
      return { text: 'running', tone: 'busy' };
    case 'background':
      return { text: s.ports.length > 0 ? `background · listening on ${s.ports.map((p) => `:${p}`).join(', ')}` : 'background', tone: 'ok' };
    case 'completed':
      return { text: 'completed', tone: 'ok' };
    case 'failed':
      return { text: 'failed', tone: 'bad' };
    case 'interrupted':
      return { text: 'interrupted', tone: 'bad' };
    case 'declined':
      return { text: 'declined', tone: 'bad' };
    default:
      return assertNever(s, 'command state');
  }
}
