// Notifications against a real hub (SQLite file) over its real socket and HTTP API: written with
// the event that causes them, routed by authority (only the people an approval names as deciders
// hear of it), quiet about one's own actions, one per prompt per person, settled once decided;
// decision codes are single use, refused once the prompt is settled, and a GET of the emailed
// link changes nothing.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join as pathJoin } from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Channel, Socket } from 'phoenix';
import type { Approval, NotificationItem } from '@pilothouse/protocol';
import { startHub, type RunningHub } from '../src/hub.js';
import { mintCodes } from '../src/notifications/decision-codes.js';
import { connect, join, push } from './phx.js';
import { seedStore } from './hub-process.js';
import { PG_URL } from './stores.js';
import { startFakePushService, type FakePushService } from './fake-push-service.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

let hub: RunningHub;
let dataDir: string;
let tokens: Record<string, string>;
let users: Record<string, string>;
const sockets: Socket[] = [];
let runner: Channel;
let threadId: string;
let channelId: string;
let seq = 0;
let sink: SmtpSink;

const open = async (who: string): Promise<Channel> => {
  const s = connect(hub.url, tokens[who]!);
  sockets.push(s);
  const ch = s.channel('channel:acme/agents', {});
  await join(ch);
  return ch;
};

async function api(who: string | null, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; text: string }> {
  const headers: Record<string, string> = {};
  if (who !== null) headers.authorization = `Bearer ${tokens[who]!}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${hub.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // an HTML page
  }
  return { status: res.status, json, text };
}

const centre = async (who: string) => (await api(who, 'GET', '/api/notifications')).json as { items: NotificationItem[]; unread: number };

function approval(requestId: string, allowed: string[], extra: Partial<Approval> = {}): Approval {
  return {
    request_id: requestId,
    kind: 'command',
    summary: 'npm test -- --runInBand',
    reason: 'run the tests',
    choices: [
      { id: 'approve', label: 'Approve' },
      { id: 'deny', label: 'Deny' },
    ],
    allowed: allowed.map((name) => ({ name })),
    ...extra,
  };
}

/** An instruction by `who`, and the runner asking `allowed` to approve a command of its turn. */
async function prompt(who: string, requestId: string, allowed: string[]): Promise<string> {
  const ch = await open(who);
  const m = (await push(ch, 'post_message', { client_id: `n-${++seq}`, body: `task ${seq}`, thread_id: threadId })) as { message_id: string };
  await push(runner, 'set_state', { message_id: m.message_id, state: { state: 'processing', reason: null, approval: approval(requestId, allowed) } });
  return m.message_id;
}

describe.each(['sqlite', 'postgres'] as const)('notifications (%s)', (KIND) => {
  const schema = `ph_notify_${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(pathJoin(tmpdir(), 'ph-notify-'));
    const store = KIND === 'sqlite' ? { kind: 'sqlite' as const, dataDir } : { kind: 'postgres' as const, url: PG_URL, schema };
    sink = await startSmtpSink();
    hub = await startHub({ host: '127.0.0.1', port: 0, store, logger: pino({ level: 'silent' }), webRoot: null, rateLimits: null, notifications: { smtpUrl: sink.url } });
    ({ tokens, users } = await seedStore(hub.store, ['alice', 'bob', 'dave']));
    channelId = (await hub.store.channelByRef({ workspace: 'acme', channel: 'agents' }))!.id;
    runner = await open('alice');
    await push(runner, 'runner_register', { runner_id: 'r-alice', instance_id: 'i-1', name: 'laptop', cwd: '/src/shop', agent: { name: 'codex', version: '0.1' }, capabilities: [] });
    threadId = ((await push(runner, 'post_row', { client_id: 'root', kind: 'session', body: 'Codex session' })) as { thread_id: string }).thread_id;
    await push(runner, 'runner_status', { status: 'idle', thread_id: threadId, allowed: ['alice', 'dave'] });
  });

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await hub.close();
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (KIND !== 'postgres') return;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`drop schema if exists ${schema} cascade`);
    await client.end();
  });

  describe('routing', () => {
    it('an approval reaches exactly its deciders, once, however often its state is written again', async () => {
      const messageId = await prompt('bob', 'req-route', ['alice', 'dave']);
      // The same prompt again (a state rewrite with trouble attached): nothing new to tell.
      await push(runner, 'set_state', { message_id: messageId, state: { state: 'processing', reason: null, approval: approval('req-route', ['alice', 'dave']), trouble: { kind: 'reconnecting', attempt: 1, message: 'retrying', http_status: null } } });
      for (const who of ['alice', 'dave']) {
        const mine = (await centre(who)).items.filter((n) => n.request_id === 'req-route');
        expect(mine.map((n) => [n.kind, n.title, n.resolved])).toEqual([['approval_requested', 'Approval needed: npm test -- --runInBand', false]]);
        expect(mine[0]!.path).toBe(`/c/acme/agents/t/${threadId}`);
      }
      // bob wrote the instruction but may not decide: the prompt is not his to see as an alert.
      expect((await centre('bob')).items.filter((n) => n.request_id === 'req-route')).toEqual([]);
    });

    it('a decided prompt is settled in everyone\'s centre; the finished turn tells the steerers, not the watcher', async () => {
      const messageId = await prompt('bob', 'req-settle', ['alice', 'dave']);
      await push(runner, 'set_state', { message_id: messageId, state: { state: 'processed', reason: null, approval: null } });
      for (const who of ['alice', 'dave']) {
        const items = (await centre(who)).items.filter((n) => n.message_id === messageId);
        expect(items.map((n) => [n.kind, n.resolved]).sort()).toEqual([['approval_requested', true], ['turn_finished', false]]);
      }
      // bob only watches (not in the session's allowed list) and did not opt in to watching turns.
      expect((await centre('bob')).items.filter((n) => n.message_id === messageId)).toEqual([]);
    });

    it('a watcher who opted in hears of finished turns; prefs turn the page off per kind', async () => {
      const prefs = (await api('bob', 'GET', '/api/notifications/prefs')).json as { prefs: Record<string, unknown> };
      expect((await api('bob', 'PUT', '/api/notifications/prefs', { ...prefs.prefs, watch_turns: true })).status).toBe(200);
      const dave = (await api('dave', 'GET', '/api/notifications/prefs')).json as { prefs: { media: Record<string, unknown> } };
      const off = { ...dave.prefs, media: { ...dave.prefs.media, turn_failed: { page: false, push: false, email: false } } };
      expect((await api('dave', 'PUT', '/api/notifications/prefs', off)).status).toBe(200);
      const ch = await open('alice');
      const m = (await push(ch, 'post_message', { client_id: `n-${++seq}`, body: 'deploy it', thread_id: threadId })) as { message_id: string };
      await push(runner, 'set_state', { message_id: m.message_id, state: { state: 'failed', reason: 'the model is unreachable', approval: null } });
      const bob = (await centre('bob')).items.filter((n) => n.message_id === m.message_id);
      expect(bob.map((n) => [n.kind, n.title, n.body])).toEqual([['turn_failed', 'Turn failed: deploy it', 'the model is unreachable']]);
      expect((await centre('dave')).items.filter((n) => n.message_id === m.message_id)).toEqual([]);
    });

    it('an instruction retried and failing again is told again; its failed state written twice is told once', async () => {
      const ch = await open('bob');
      const m = (await push(ch, 'post_message', { client_id: `n-${++seq}`, body: 'flaky job', thread_id: threadId })) as { message_id: string };
      const run = async (reason: string) => {
        await push(runner, 'set_state', { message_id: m.message_id, state: { state: 'processing', reason: null, approval: null } });
        await push(runner, 'set_state', { message_id: m.message_id, state: { state: 'failed', reason, approval: null } });
      };
      await run('first failure');
      // The same outcome written again (a decision recorded on it): nothing new.
      await push(runner, 'set_state', { message_id: m.message_id, state: { state: 'failed', reason: 'first failure', approval: null } });
      await run('second failure');
      const alice = (await centre('alice')).items.filter((n) => n.message_id === m.message_id);
      expect(alice.map((n) => [n.kind, n.body]).sort()).toEqual([
        ['turn_failed', 'first failure'],
        ['turn_failed', 'second failure'],
      ]);
    });

    it('a runner that goes away during a turn tells its steerers, not the watcher; one that goes away idle tells nobody', async () => {
      const away = async (runnerId: string, busy: boolean) => {
        const s = connect(hub.url, tokens.alice!);
        const ch = s.channel('channel:acme/agents', {});
        await join(ch);
        await push(ch, 'runner_register', { runner_id: runnerId, instance_id: `i-${runnerId}`, name: `box ${runnerId}`, cwd: '/src/x', agent: { name: 'codex', version: '0.1' }, capabilities: [] });
        const thread = ((await push(ch, 'post_row', { client_id: `root-${runnerId}`, kind: 'session', body: 'Codex session' })) as { thread_id: string }).thread_id;
        await push(ch, 'runner_status', { status: busy ? 'working' : 'idle', thread_id: thread, allowed: ['alice', 'dave'] });
        const m = (await push(await open('bob'), 'post_message', { client_id: `n-${++seq}`, body: `long job on ${runnerId}`, thread_id: thread })) as { message_id: string };
        if (busy) await push(ch, 'set_state', { message_id: m.message_id, state: { state: 'processing', reason: null, approval: null } });
        else await push(ch, 'set_state', { message_id: m.message_id, state: { state: 'processed', reason: null, approval: null } });
        s.disconnect();
        // The hub marks the runner offline as its socket closes: wait for that event in the store.
        await vi.waitFor(async () => expect((await hub.store.db.selectFrom('runners').select('status').where('runner_id', '=', runnerId).executeTakeFirst())?.status).toBe('offline'));
        return m.message_id;
      };
      const busyJob = await away('r-busy', true);
      const idleJob = await away('r-idle', false);
      for (const who of ['alice', 'dave']) {
        const mine = (await centre(who)).items.filter((n) => n.kind === 'runner_offline');
        expect(mine.map((n) => [n.message_id, n.title, n.body])).toEqual([[busyJob, 'Runner offline during a turn: box r-busy', 'It went away while working on: long job on r-busy']]);
      }
      expect((await centre('bob')).items.filter((n) => n.kind === 'runner_offline')).toEqual([]);
      expect((await centre('alice')).items.filter((n) => n.message_id === idleJob && n.kind === 'runner_offline')).toEqual([]);
    });

    it('an approval with a deadline reminds its deciders once, shortly before it, and not before that time', async () => {
      const expiresAt = new Date(Date.now() + 10 * 60_000).toISOString();
      const ch = await open('bob');
      const m = (await push(ch, 'post_message', { client_id: `n-${++seq}`, body: 'slow approval', thread_id: threadId })) as { message_id: string };
      const asked = approval('req-deadline', ['alice', 'dave'], { detail: { expires_at: expiresAt } });
      await push(runner, 'set_state', { message_id: m.message_id, state: { state: 'processing', reason: null, approval: asked } });
      await push(runner, 'set_state', { message_id: m.message_id, state: { state: 'processing', reason: null, approval: asked } });
      const reminders = await hub.store.db.selectFrom('notifications').select(['user_id', 'visible_at', 'title']).where('key', '=', 'expiring:req-deadline').execute();
      expect(reminders.map((r) => r.user_id).sort()).toEqual([users.alice!, users.dave!].sort());
      for (const r of reminders) {
        expect(r.visible_at).toBe(new Date(Date.parse(expiresAt) - 60_000).toISOString());
        expect(r.title).toBe('Approval expires soon: npm test -- --runInBand');
      }
      // Not in the centre (nor sent) before its time: only the prompt itself shows now.
      expect((await centre('alice')).items.filter((n) => n.request_id === 'req-deadline').map((n) => n.kind)).toEqual(['approval_requested']);
      // Decided before the reminder was due: it is settled, never shown.
      await push(runner, 'set_state', { message_id: m.message_id, state: { state: 'processed', reason: null, approval: null } });
      const settled = await hub.store.db.selectFrom('notifications').select('resolved_at').where('key', '=', 'expiring:req-deadline').execute();
      expect(settled.every((r) => r.resolved_at !== null)).toBe(true);
    });

    it('a mention reaches the member named, never the author nor a non-member', async () => {
      const ch = await open('bob');
      const m = (await push(ch, 'post_message', { client_id: `n-${++seq}`, body: '@dave can you look? cc @bob @carol @nobody', thread_id: threadId })) as { message_id: string };
      expect((await centre('dave')).items.filter((n) => n.message_id === m.message_id).map((n) => [n.kind, n.title])).toEqual([['mention', 'bob mentioned you']]);
      expect((await centre('bob')).items.filter((n) => n.message_id === m.message_id)).toEqual([]);
    });

    it('bad preferences are refused with the field named; marking read lowers the unread count', async () => {
      const bad = await api('dave', 'PUT', '/api/notifications/prefs', { media: {}, email: 'not-an-address', watch_turns: false, quiet: { start: '25:00', end: '07:00', tz: 'Mars/Olympus' }, digest: true });
      expect(bad.status).toBe(400);
      expect(bad.json).toMatchObject({ code: 'invalid_payload' });
      expect((bad.json as { message: string }).message).toMatch(/email/);
      expect((bad.json as { message: string }).message).toMatch(/quiet\.start/);
      expect((bad.json as { message: string }).message).toMatch(/quiet\.tz/);
      const before = await centre('dave');
      expect(before.unread).toBeGreaterThan(0);
      const r = await api('dave', 'POST', '/api/notifications/read', { ids: [before.items[0]!.id] });
      expect(r.json).toEqual({ marked: 1 });
      expect((await centre('dave')).unread).toBe(before.unread - 1);
      await api('dave', 'POST', '/api/notifications/read', { all: true });
      expect((await centre('dave')).unread).toBe(0);
    });
  });

  describe('web push', () => {
    let fake: FakePushService;
    beforeAll(async () => {
      fake = await startFakePushService();
    });
    afterAll(() => fake.close());

    const subscribe = async (who: string) => {
      const { public_key } = ((await api(who, 'GET', '/api/notifications/prefs')).json as { push: { public_key: string } }).push;
      const sub = fake.subscribe({ applicationServerKey: public_key });
      const r = await api(who, 'POST', '/api/push/subscriptions', { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth }, expirationTime: null });
      expect(r.status).toBe(200);
      return sub;
    };

    it('an approval reaches the decider\'s browser (VAPID-signed, decrypted), its Approve code decides via push; the watcher\'s browser gets nothing', async () => {
      const daveSub = await subscribe('dave');
      const bobSub = await subscribe('bob');
      const messageId = await prompt('bob', 'req-push', ['alice', 'dave']);
      const got = await fake.next(daveSub.id);
      const payload = got.json as { kind: string; title: string; url: string; tag: string; actions: { action: string; title: string }[]; codes: { approve: string; deny: string } };
      expect(payload).toMatchObject({ kind: 'approval_requested', title: 'Approval needed: npm test -- --runInBand', url: `${hub.url}/c/acme/agents/t/${threadId}`, tag: 'prompt:req-push' });
      expect(payload.actions).toEqual([{ action: 'approve', title: 'Approve' }, { action: 'deny', title: 'Deny' }]);
      expect(got.urgency).toBe('high');
      const decided = await api(null, 'POST', '/api/decide', { code: payload.codes.approve });
      expect(decided).toMatchObject({ status: 200, json: { choice: 'approve', thread_id: threadId } });
      const events = await hub.store.eventsSince(channelId, 0, 10_000);
      const control = events.find((e) => e.type === 'control' && e.payload.action.type === 'resolve_approval' && e.payload.action.request_id === 'req-push');
      expect(control?.type === 'control' && [control.payload.actor.name, control.payload.via]).toEqual(['dave', 'push']);
      await push(runner, 'set_state', { message_id: messageId, state: { state: 'processed', reason: null, approval: null } });
      // The finished turn reaches dave (a steerer) too; bob's browser has had nothing about the approval.
      const next = await fake.next(daveSub.id);
      expect((next.json as { kind: string }).kind).toBe('turn_finished');
      await hub.notifications.worker.idle();
      expect(fake.received.filter((r) => r.id === bobSub.id).map((r) => (r.json as { kind: string }).kind)).not.toContain('approval_requested');
    });

    it('a subscription the push service says is gone (410) is removed, and admins see the failed delivery', async () => {
      const sub = await subscribe('dave');
      fake.setStatus(sub.id, 410);
      await prompt('bob', 'req-gone', ['dave']);
      await hub.notifications.worker.idle();
      expect(await hub.store.db.selectFrom('push_subscriptions').select('id').where('endpoint', '=', sub.endpoint).execute()).toEqual([]);
      const failed = (await api('alice', 'GET', '/api/admin/deliveries?status=failed')).json as { deliveries: { medium: string; last_code: string }[] };
      expect(failed.deliveries.some((d) => d.medium === 'push' && d.last_code === 'push_subscription_gone')).toBe(true);
    });

    it('a subscription with bad keys is refused with the reason', async () => {
      const r = await api('dave', 'POST', '/api/push/subscriptions', { endpoint: 'https://push.example.com/x', keys: { p256dh: 'A'.repeat(87), auth: 'B'.repeat(22) } });
      expect(r).toMatchObject({ status: 400, json: { code: 'invalid_payload' } });
      expect((r.json as { message: string }).message).toMatch(/p256dh/);
    });
  });

  describe('email', () => {
    it('a decider with an address gets the prompt by email; its link confirms, decides once via email; a second use is refused', async () => {
      const prefs = (await api('dave', 'GET', '/api/notifications/prefs')).json as { prefs: Record<string, unknown> };
      expect((await api('dave', 'PUT', '/api/notifications/prefs', { ...prefs.prefs, email: 'dave@example.com' })).status).toBe(200);
      await prompt('bob', 'req-mail', ['dave']);
      const mail = await sink.next();
      expect(mail.to).toEqual(['dave@example.com']);
      expect(mail.subject).toBe('Approval needed: npm test -- --runInBand');
      expect(mail.text).toContain(`${hub.url}/c/acme/agents/t/${threadId}`);
      const links = [...mail.html.matchAll(/href="([^"]*\/decide\/[^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
      expect(links).toHaveLength(2);
      const approve = links[0]!;
      expect(approve.startsWith(`${hub.url}/decide/`)).toBe(true);
      const page = await fetch(approve);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<form method="post"');
      const done = await fetch(approve, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      expect(await done.text()).toContain('was sent to the session');
      const twice = await fetch(approve, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      expect(twice.status).toBe(409);
      expect(await twice.text()).toContain('already used');
      const events = await hub.store.eventsSince(channelId, 0, 10_000);
      const decided = events.filter((e) => e.type === 'control' && e.payload.action.type === 'resolve_approval' && e.payload.action.request_id === 'req-mail');
      expect(decided.map((e) => e.type === 'control' && [e.payload.actor.name, e.payload.via])).toEqual([['dave', 'email']]);
      await api('dave', 'PUT', '/api/notifications/prefs', { ...prefs.prefs, email: null });
    });
  });

  describe('decision codes', () => {
    const codesFor = async (who: string, messageId: string, requestId: string, medium: 'push' | 'email' = 'email', expiresAt: string | null = null) =>
      mintCodes(hub.store, { userId: users[who]!, channelId, threadId, medium, target: { prompt: 'approval', request_id: requestId, message_id: messageId, expires_at: expiresAt } }, ['approve', 'deny']);

    it('the emailed link shows a confirmation page; GET changes nothing; the POST decides once, via email, and spends the other choice', async () => {
      const messageId = await prompt('bob', 'req-code', ['alice', 'dave']);
      const codes = await codesFor('dave', messageId, 'req-code');
      const controls: unknown[] = [];
      runner.on('control', (c) => controls.push(c));
      const page = await api(null, 'GET', `/decide/${codes.approve!}`);
      expect(page.status).toBe(200);
      expect(page.text).toContain('npm test -- --runInBand');
      // The form posts back to the page's own address, relative to it: behind a proxy that serves
      // the hub under a path prefix (links in emails keep it), the button still reaches the hub.
      const action = /<form method="post" action="([^"]*)"/.exec(page.text)?.[1];
      expect(new URL(action!, `https://ph.example.org/pilothouse/decide/${codes.approve!}`).pathname).toBe(`/pilothouse/decide/${codes.approve!}`);
      expect(new URL(action!, `${hub.url}/decide/${codes.approve!}`).href).toBe(`${hub.url}/decide/${codes.approve!}`);
      // Twice more: a mail scanner opening the link decides nothing.
      expect((await api(null, 'GET', `/decide/${codes.approve!}`)).status).toBe(200);
      const done = await fetch(`${hub.url}/decide/${codes.approve!}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      expect(done.status).toBe(200);
      expect(await done.text()).toContain('Your answer (Approve) was sent');
      const again = await api(null, 'POST', '/api/decide', { code: codes.approve! });
      expect(again).toMatchObject({ status: 409, json: { code: 'decision_code_used' } });
      const sibling = await api(null, 'POST', '/api/decide', { code: codes.deny! });
      expect(sibling).toMatchObject({ status: 409, json: { code: 'decision_code_used' } });
      const recorded = await hub.store.eventsSince(channelId, 0, 10_000);
      const decided = recorded.filter((e) => e.type === 'control' && e.payload.action.type === 'resolve_approval' && e.payload.action.request_id === 'req-code');
      expect(decided.map((e) => e.type === 'control' && { by: e.payload.actor.name, via: e.payload.via, action: e.payload.action })).toEqual([
        { by: 'dave', via: 'email', action: { type: 'resolve_approval', request_id: 'req-code', choice: 'approve' } },
      ]);
      const audit = await hub.store.listAudit({ limit: 5, action: 'approval_decided' });
      expect(audit[0]).toMatchObject({ actor_name: 'dave', detail: { request_id: 'req-code', via: 'email' } });
    });

    it('refuses forged, expired and settled codes, and a person who lost the right to decide', async () => {
      expect(await api(null, 'POST', '/api/decide', { code: 'A'.repeat(32) })).toMatchObject({ status: 404, json: { code: 'decision_code_invalid' } });
      expect(await api(null, 'POST', '/api/decide', { code: 'short' })).toMatchObject({ status: 400, json: { code: 'invalid_payload' } });
      const forged = await api(null, 'GET', `/decide/${'B'.repeat(32)}`);
      expect(forged.status).toBe(404);
      expect(forged.text).toContain('not valid');

      const messageId = await prompt('bob', 'req-late', ['alice', 'dave']);
      const expired = await codesFor('dave', messageId, 'req-late', 'push', new Date(Date.now() - 1000).toISOString());
      expect(await api(null, 'POST', '/api/decide', { code: expired.approve! })).toMatchObject({ status: 410, json: { code: 'decision_code_expired' } });

      const codes = await codesFor('dave', messageId, 'req-late', 'push');
      await push(runner, 'set_state', { message_id: messageId, state: { state: 'processing', reason: null, approval: null } });
      expect(await api(null, 'POST', '/api/decide', { code: codes.approve! })).toMatchObject({ status: 409, json: { code: 'prompt_settled' } });

      // dave is taken off the session's allowed list after the code was sent.
      const m2 = await prompt('bob', 'req-revoked', ['alice', 'dave']);
      const daves = await codesFor('dave', m2, 'req-revoked', 'push');
      await push(runner, 'runner_status', { status: 'working', thread_id: threadId, allowed: ['alice'] });
      try {
        expect(await api(null, 'POST', '/api/decide', { code: daves.approve! })).toMatchObject({ status: 403, json: { code: 'sender_not_allowed' } });
      } finally {
        await push(runner, 'runner_status', { status: 'idle', thread_id: threadId, allowed: ['alice', 'dave'] });
      }
    });
  });
});
