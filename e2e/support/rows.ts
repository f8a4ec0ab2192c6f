// Views of a stored thread for assertions: the rows a runner posted (kind, body, status, meta),
// a message by id, and the text a model request carried.

import type { Message, MessageState } from '@pilothouse/protocol';
import type { RecordedRequest } from '@pilothouse/scripted-model';

export interface RowView {
  kind: Message['kind'];
  body: string;
  status: Message['status'];
  meta: Message['meta'];
}

/** The runner's rows after the session root, as the hub stored them. */
export function runnerRows(thread: Message[]): RowView[] {
  return thread.filter((m) => m.runner_id !== null && m.kind !== 'session').map(({ kind, body, status, meta }) => ({ kind, body, status, meta }));
}

export function message(thread: Message[], id: string): Message {
  const found = thread.find((m) => m.id === id);
  if (!found) throw new Error(`message ${id} is not in the thread`);
  return found;
}

export const stateOf = (thread: Message[], id: string): MessageState | null => thread.find((m) => m.id === id)?.state ?? null;

export const hasState = (id: string, state: MessageState['state'], reason?: string | RegExp) => (thread: Message[]): boolean => {
  const s = stateOf(thread, id);
  if (s?.state !== state) return false;
  if (reason === undefined) return true;
  return typeof reason === 'string' ? s.reason === reason : reason.test(s.reason ?? '');
};

/** The user texts a model request carried, in order (Codex adds its own context messages too). */
export function userTexts(request: RecordedRequest): string[] {
  const input = (request.body as { input?: { type?: string; role?: string; content?: { type: string; text?: string }[] }[] }).input ?? [];
  return input.filter((i) => i.type === 'message' && i.role === 'user').flatMap((i) => (i.content ?? []).map((c) => c.text ?? ''));
}
