// Sessions started from the web on a machine daemon (issue: start sessions from the web): the real
// hub, `pilothouse machine` and its `pilothouse run` processes, real Codex against the scripted
// model, real git. Two sessions in two worktrees at once, each editing its own file; their
// changes; merge one, discard the other; a third in the folder itself; refusals that leave
// nothing on disk; a merge conflict that leaves the base untouched; a daemon SIGKILLed with two
// sessions running, restarted, its sessions shown and ended.

import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MachinePresence, MachineSession, SessionChanges, SessionEndResult, Message } from '@pilothouse/protocol';
import { connect, join as joinChannel, PushError, settle } from '@pilothouse/hub/testing';
import { digest, newToken } from '@pilothouse/hub';
import { git, machineWorld, type MachineWorld, type Person } from './support/machine-world.js';

let w: MachineWorld;
beforeEach(async () => {
  w = await machineWorld();
});
afterEach(async () => {
  await w.close();
});

let clientIds = 0;
const start = async (who: Person, overrides: Record<string, unknown>) =>
  ((await who.push('session_start', { ...w.ref(), client_id: `start-${++clientIds}`, folder: w.repo, agent: 'codex', worktree: true, instruction: 'write a.txt alpha', ...overrides })) as { session: MachineSession }).session;

const refusal = async (p: Promise<unknown>): Promise<{ code: string; message: string; details?: unknown }> => {
  try {
    await p;
  } catch (err) {
    if (err instanceof PushError) return err.response as { code: string; message: string };
    throw err;
  }
  throw new Error('expected a refusal');
};

/** Until the instruction in the session thread was processed (its agent's turn ended). */
const processed = (s: MachineSession) =>
  w.waitUntil(async () => {
    const t: Message[] = await w.thread(s.thread_id!);
    const instr = t.find((m) => m.runner_id === null && m.kind === 'text');
    return instr?.state?.state === 'processed' ? t : null;
  }, `the first instruction of ${s.session_id} to be processed`, 90_000);

const changes = (who: Person, s: MachineSession) => who.push('session_changes', { ...w.ref(), session_id: s.session_id }) as Promise<SessionChanges>;
const end = (who: Person, s: MachineSession, how: string, confirm?: boolean) =>
  who.push('session_end', { ...w.ref(), session_id: s.session_id, how, ...(confirm === undefined ? {} : { confirm }) }) as Promise<SessionEndResult>;
const branches = () => git(w.repo, 'branch', '--format=%(refname:short)').split('\n').filter(Boolean).sort();
const worktreesDir = () => join(w.home, 'worktrees');
const worktrees = () => (existsSync(worktreesDir()) ? readdirSync(worktreesDir()) : []);
/** The codes (or other detail) of the audit rows of `action`, oldest first. */
const audit = async (action: string) => (await w.hub.store.listAudit({ limit: 200, action })).reverse().map((a) => a.detail as { code?: string; session_id?: string });

describe('sessions started from the web', () => {
  it('runs two worktree sessions at once, shows their changes, merges one, discards the other, then runs one in the folder itself', async () => {
    await w.startDaemon();
    const online = await w.waitUntil(() => w.machine()?.online && w.machine(), 'the machine online');
    expect(online.folders.map((f) => [f.path, f.git, f.branch])).toEqual(
      expect.arrayContaining([
        [w.repo, true, 'main'],
        [w.plain, false, null],
      ]),
    );
    expect(online.agents.map((a) => a.name)).toContain('codex');

    // Two at once: alice (the owner) and bob (may_start), each in a worktree of its own.
    const [a, b] = await Promise.all([start(w.alice, { instruction: 'write a.txt alpha' }), start(w.bob, { instruction: 'write b.txt beta', slug: 'beta-work' })]);
    expect(a.worktree).not.toBe(b.worktree);
    expect(b.branch).toBe('pilothouse/beta-work');
    expect(a.branch).toBe('pilothouse/write-a-txt-alpha');
    expect(a.ports.from).not.toBe(b.ports.from);
    expect(b.allowed).toEqual(expect.arrayContaining(['alice', 'bob']));
    const [ta] = await Promise.all([processed(a), processed(b)]);
    expect(ta.some((m) => m.kind === 'text' && m.runner_id === null && m.author.name === 'alice' && m.body === 'write a.txt alpha')).toBe(true);
    await w.waitUntil(() => w.machine()?.sessions.filter((s) => s.state === 'running').length === 2, 'both sessions shown running');
    expect(readFileSync(join(a.worktree!, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(existsSync(join(a.worktree!, 'b.txt'))).toBe(false);
    expect(existsSync(join(w.repo, 'a.txt'))).toBe(false);

    // Any member reads the changes: each session its own file.
    const ca = await changes(w.dave, a);
    expect(ca.files.map((f) => [f.path, f.status, f.additions])).toEqual([['a.txt', '?', 1]]);
    expect(ca.files[0]!.diff).toContain('+alpha');
    const cb = await changes(w.alice, b);
    expect(cb.files.map((f) => f.path)).toEqual(['b.txt']);

    // Merge a: main has a.txt, committed; the worktree is gone, the branch kept.
    const merged = await end(w.alice, a, 'merge');
    expect(merged.session.ending).toBe('merged');
    expect(merged.message).toMatch(/main fast-forwarded/);
    expect(readFileSync(join(w.repo, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(git(w.repo, 'status', '--porcelain')).toBe('');
    expect(existsSync(a.worktree!)).toBe(false);

    // Discard b: refused without a confirmation (nothing happens), then done: worktree and branch gone.
    expect((await refusal(end(w.bob, b, 'discard'))).code).toBe('confirmation_required');
    expect(existsSync(b.worktree!)).toBe(true);
    const discarded = await end(w.bob, b, 'discard', true);
    expect(discarded.session.ending).toBe('discarded');
    expect(existsSync(b.worktree!)).toBe(false);
    expect(branches()).toEqual(['main', 'pilothouse/write-a-txt-alpha']);
    expect(existsSync(join(w.repo, 'b.txt'))).toBe(false);

    // A third in the folder itself (no worktree).
    const c = await start(w.alice, { folder: w.plain, worktree: false, instruction: 'write c.txt gamma' });
    expect(c.worktree).toBeNull();
    await processed(c);
    expect(readFileSync(join(w.plain, 'c.txt'), 'utf8')).toBe('gamma\n');
    // Its commands see the session's own ports (the first range is free again: a and b ended).
    await w.alice.push('post_message', { client_id: 'c-ports', body: 'ports ports.txt', thread_id: c.thread_id });
    await w.waitUntil(() => existsSync(join(w.plain, 'ports.txt')) && readFileSync(join(w.plain, 'ports.txt'), 'utf8').endsWith('\n'), 'the ports command to run');
    expect(readFileSync(join(w.plain, 'ports.txt'), 'utf8')).toBe(`${c.ports.from} ${c.ports.from}-${c.ports.to}\n`);
    expect(c.ports).toEqual({ from: 43000, to: 43009 });
    const kept = await end(w.alice, c, 'keep');
    expect(kept.session).toMatchObject({ state: 'ended', ending: 'kept' });
    await w.waitUntil(() => w.runnerPids().length === 0, 'every runner gone');

    expect((await audit('session_started')).length).toBe(3);
    expect((await audit('session_merge')).length).toBe(1);
    expect((await audit('session_discard')).length).toBe(1);
    expect((await audit('session_end_refused')).map((e) => e.code)).toEqual(['confirmation_required']);
  });

  it('refuses starts it must not run, each with its reason, in the audit, with nothing on disk', async () => {
    await w.startDaemon();
    await w.waitUntil(() => w.machine()?.online, 'the machine online');
    const before = { branches: branches(), worktrees: worktrees() };
    const link = join(w.repo, 'escape');
    symlinkSync(w.outside, link);
    git(w.repo, 'branch', 'pilothouse/taken');
    const cases: [string, Person, Record<string, unknown>][] = [
      ['start_not_allowed', w.dave, {}],
      ['folder_not_trusted', w.alice, { folder: w.outside }],
      ['path_escape', w.alice, { folder: `${w.repo}/../outside` }],
      ['path_escape', w.alice, { folder: link, worktree: false }],
      ['folder_not_trusted', w.alice, { folder: join(w.repo, 'gone'), worktree: false }],
      ['agent_not_installed', w.alice, { agent: 'gemini' }],
      ['option_not_allowed', w.alice, { sandbox: 'danger-full-access' }],
      ['option_not_allowed', w.bob, { approval_policy: 'untrusted' }],
      ['option_not_allowed', w.bob, { agent: 'claude', sandbox: 'read-only' }],
      ['not_a_git_repo', w.alice, { folder: w.plain, worktree: true }],
      ['branch_exists', w.alice, { slug: 'taken' }],
    ];
    for (const [code, who, overrides] of cases) {
      const r = await refusal(start(who, overrides));
      expect([code, r.code]).toEqual([code, r.code === code ? code : r.message]);
      expect(r.message.length).toBeGreaterThan(20);
    }
    git(w.repo, 'branch', '-D', 'pilothouse/taken');
    expect({ branches: branches(), worktrees: worktrees() }).toEqual(before);
    expect(w.machine()!.sessions).toEqual([]);
    // Refusals are audited (repeats of one actor's code within a window coalesce into one row).
    const refused = new Set((await audit('session_start_refused')).map((e) => e.code));
    expect([...refused].sort()).toEqual([...new Set(cases.map(([code]) => code))].sort());

    // Over the limit (max_sessions = 3), four asked at once: three start, one is refused.
    const four = await Promise.allSettled([1, 2, 3, 4].map((n) => start(n === 4 ? w.bob : w.alice, { instruction: `write n${n}.txt x` })));
    const three = four.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(three).toHaveLength(3);
    const overLimit = four.flatMap((r) => (r.status === 'rejected' ? [(r.reason as PushError).response as { code: string }] : []));
    expect(overLimit.map((r) => r.code)).toEqual(['too_many_sessions']);
    expect(worktrees().length).toBe(3);
    expect((await refusal(start(w.bob, {}))).code).toBe('too_many_sessions');
    for (const s of three) await end(w.alice, s, 'discard', true);
    expect(worktrees()).toEqual([]);
  });

  it("a member's login cannot act as a machine, nor answer another machine's requests", async () => {
    await w.startDaemon();
    await w.waitUntil(() => w.machine()?.online, 'the machine online');
    const info = { ...w.machine()!, sessions: [] } as Record<string, unknown>;
    delete info.owner;
    delete info.online;
    delete info.last_seen;
    // A member-scoped token (what a browser session is) is refused.
    const memberToken = newToken();
    await w.hub.store.createToken({ userId: w.users.dave!, tokenHash: digest(memberToken), label: null, scope: 'member' });
    const socket = connect(w.hub.url, memberToken);
    const ch = socket.channel('channel:acme/agents', {});
    await joinChannel(ch);
    expect((await refusal(settle(ch.push('machine_state', info)))).code).toBe('runner_token_required');
    // dave's runner token reports "devbox" as his own machine: alice's stays hers, untouched.
    await w.dave.push('machine_state', info);
    const both = await w.waitUntil(() => {
      const list = (w.machines() ?? []).filter((m) => m.name === 'devbox');
      return list.length === 2 ? list : null;
    }, 'both devboxes listed');
    expect(both.map((m) => m.owner.name).sort()).toEqual(['alice', 'dave']);
    // A machine reply from a socket that is no machine is refused; one for another machine's request answers nothing.
    expect((await refusal(w.bob.push('machine_reply', { request_id: 'r-1', ok: true, result: {} }))).code).toBe('not_machine');
    const s = await start(w.bob, { instruction: 'write a.txt hi' });
    expect(s.started_by.name).toBe('bob');
    socket.disconnect();
  });

  it('the daemon reconnects by itself after a hub restart and reports its running session again', async () => {
    await w.startDaemon();
    await w.waitUntil(() => w.machine()?.online, 'the machine online');
    const s = await start(w.alice, { instruction: 'write a.txt before' });
    await processed(s);
    await w.restartHub();
    // Asked, not awaited as an event: alice's socket may rejoin after the daemon's report.
    const listed = await w.waitUntil(async () => {
      try {
        const { machines } = (await w.alice.push('list_machines', {})) as { machines: MachinePresence[] };
        const m = machines.find((x) => x.name === 'devbox');
        return m?.online && m.sessions.some((x) => x.session_id === s.session_id && x.state === 'running') ? m : null;
      } catch {
        return null; // alice's socket is still rejoining
      }
    }, 'the machine back online after the hub restart', 30_000);
    expect(listed.sessions.map((x) => x.session_id)).toEqual([s.session_id]);
    // And it answers requests again: the session is steered and ended as before.
    await w.alice.push('post_message', { client_id: 'after-restart', body: 'write a2.txt after', thread_id: s.thread_id });
    await w.waitUntil(() => existsSync(join(s.worktree!, 'a2.txt')), 'the instruction after the restart to run');
    expect((await changes(w.alice, s)).files.map((f) => f.path).sort()).toEqual(['a.txt', 'a2.txt']);
    expect((await end(w.alice, s, 'discard', true)).session.ending).toBe('discarded');
  });

  it('reports a merge conflict with its files and leaves the base untouched; refuses a dirty base', async () => {
    await w.startDaemon();
    await w.waitUntil(() => w.machine()?.online, 'the machine online');
    const s = await start(w.alice, { instruction: 'write README.md from the session' });
    await processed(s);
    // Meanwhile main changes the same file.
    writeFileSync(join(w.repo, 'README.md'), '# app, changed on main\n');
    git(w.repo, 'commit', '-q', '-am', 'main moves on');
    const head = git(w.repo, 'rev-parse', 'HEAD');

    writeFileSync(join(w.repo, 'scratch.txt'), 'uncommitted\n');
    const dirty = await refusal(end(w.alice, s, 'merge'));
    expect(dirty.code).toBe('base_dirty');
    expect(dirty.message).toContain('scratch.txt');
    git(w.repo, 'clean', '-fq');

    const conflict = await refusal(end(w.alice, s, 'merge'));
    expect(conflict.code).toBe('merge_conflict');
    expect(conflict.details).toEqual({ files: ['README.md'] });
    expect(git(w.repo, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(w.repo, 'status', '--porcelain')).toBe('');
    expect(readFileSync(join(w.repo, 'README.md'), 'utf8')).toBe('# app, changed on main\n');
    // The session is stopped with its work committed on its branch; it can still be discarded.
    await w.waitUntil(() => w.sessionOf(s.session_id)?.state === 'stopped', 'the session shown stopped');
    expect(git(w.repo, 'show', `${s.branch!}:README.md`)).toBe('from the session');
    const done = await end(w.alice, s, 'discard', true);
    expect(done.session.ending).toBe('discarded');
  });

  it('a daemon SIGKILLed with two sessions running: after its restart one is adopted, one (its runner dead too) resumed; both shown and endable', async () => {
    const first = await w.startDaemon();
    await w.waitUntil(() => w.machine()?.online, 'the machine online');
    const [a, b] = await Promise.all([start(w.alice, { instruction: 'write a.txt one' }), start(w.bob, { instruction: 'write b.txt two' })]);
    await Promise.all([processed(a), processed(b)]);
    const pids = w.runnerPids().sort();
    expect(pids.length).toBe(2);

    await first.kill();
    await w.waitUntil(() => w.machine()?.online === false, 'the machine shown offline');
    // Offline: the hub refuses at once, saying so.
    expect((await refusal(end(w.alice, a, 'keep'))).code).toBe('machine_offline');
    expect((await refusal(start(w.alice, {}))).code).toBe('machine_offline');
    // b's runner dies too (as in a machine restart): SIGKILL to its process group, agent included.
    const bPid = w.runnerPidOf(b.session_id)!;
    process.kill(-bPid, 'SIGKILL');
    await w.waitUntil(() => w.runnerPidOf(b.session_id) === null, "b's runner gone");

    await w.startDaemon();
    const back = await w.waitUntil(() => (w.machine()?.online && w.machine()!.sessions.every((s) => s.state === 'running') ? w.machine() : null), 'the machine back with both running');
    expect(back.sessions.map((s) => [s.session_id, s.state, s.thread_id]).sort()).toEqual(
      [
        [a.session_id, 'running', a.thread_id],
        [b.session_id, 'running', b.thread_id],
      ].sort(),
    );
    // a: the same runner process, adopted; b: a new one, resumed into the same thread (`run --resume`).
    expect(w.runnerPidOf(a.session_id)).toBe(pids.find((p) => p !== bPid));
    expect(w.runnerPidOf(b.session_id)).not.toBe(bPid);
    expect(w.sessionOf(b.session_id)!.detail).toMatch(/Resumed/);
    // The resumed session is steerable: bob's next instruction runs in the same worktree.
    await w.bob.push('post_message', { client_id: 'b-next', body: 'write b2.txt again', thread_id: b.thread_id });
    await w.waitUntil(() => existsSync(join(b.worktree!, 'b2.txt')), 'the resumed session to run the next instruction');

    const stopped = await end(w.alice, a, 'stop');
    expect(stopped.session.state).toBe('stopped');
    const kept = await end(w.alice, a, 'keep');
    expect(kept.session.ending).toBe('kept');
    expect(existsSync(a.worktree!)).toBe(true);
    const discarded = await end(w.bob, b, 'discard', true);
    expect(discarded.session.ending).toBe('discarded');
    await w.waitUntil(() => w.runnerPids().length === 0, 'both runners gone');
  });
});
