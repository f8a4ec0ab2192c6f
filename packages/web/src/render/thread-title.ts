// A thread's short name, for its header and the page title: the first line of its first message;
// a session thread (whose root says where the agent runs, as an absolute path) is named by its
// agent and the folder's last part, never the whole path.

import type { Message } from '@pilothouse/protocol';
import { firstLine } from './first-line.js';
import { readMeta, SessionMeta } from './meta.js';

const AGENTS: Record<string, string> = { codex: 'Codex' };

export function threadTitle(root: Message | undefined): string {
  if (!root) return 'Thread';
  if (root.kind === 'session') {
    const meta = readMeta(SessionMeta, root.meta);
    const agent = meta.agent ? (AGENTS[meta.agent] ?? meta.agent) : 'Agent';
    const folder = meta.cwd ? folderName(meta.cwd) : undefined;
    return folder ? `${agent} session in ${folder}` : `${agent} session`;
  }
  return firstLine(root.body, 140) || 'Thread';
}

/** The last part of a path (a folder's name); the whole path when it has none. */
export function folderName(path: string): string {
  return path.replace(/[\\/]+$/, '').split(/[\\/]/).at(-1) || path;
}

/** The browser tab's title: the view's name, then the channel, then the product. */
export function pageTitle(channel: string, thread?: string): string {
  return [thread, channel, 'Pilothouse'].filter(Boolean).join(' · ');
}
