import { describe, expect, it } from 'vitest';
import type { Message } from '@pilothouse/protocol';
import { folderName, pageTitle, threadTitle } from './thread-title.js';

const root = (kind: Message['kind'], body: string, meta: Record<string, unknown> | null = null) => ({ kind, body, meta }) as Message;

describe('thread titles', () => {
  it('names a session thread by agent and folder, never by its absolute path', () => {
    const session = root('session', 'Codex session in `/tmp/ph-e2e-ws-Ab12/app`. Reply in this thread to steer it.', { cwd: '/tmp/ph-e2e-ws-Ab12/app', agent: 'codex' });
    expect(threadTitle(session)).toBe('Codex session in app');
    expect(threadTitle(root('session', 'x', { cwd: 'C:\\work\\site\\', agent: 'other' }))).toBe('other session in site');
    expect(threadTitle(root('session', 'x', {}))).toBe('Agent session');
  });

  it('names another thread by its first line, and the page by thread, channel and product', () => {
    expect(threadTitle(root('text', 'Fix the `login` bug\nmore'))).toBe('Fix the login bug');
    expect(threadTitle(undefined)).toBe('Thread');
    expect(pageTitle('acme/agents')).toBe('acme/agents · Pilothouse');
    expect(pageTitle('acme/agents', 'Codex session in app')).toBe('Codex session in app · acme/agents · Pilothouse');
  });
});

describe('folderName', () => {
  it('is the folder’s own name', () => {
    expect(folderName('/home/alice/src/shop')).toBe('shop');
    expect(folderName('/home/alice/src/shop/')).toBe('shop');
    expect(folderName('C:\\work\\api')).toBe('api');
    expect(folderName('/')).toBe('/');
  });
});
