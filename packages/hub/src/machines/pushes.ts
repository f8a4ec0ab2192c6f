// The machine pushes (docs/protocol.md §15): a daemon reports its state and answers requests; a
// member lists machines, starts a session, reads its changes and ends it. The hub checks who may
// (protocol's startRefusal and mayEndSession) before it forwards anything, and audits every
// start and end, refused or done.

import {
  PilothouseError,
  SessionChanges,
  SessionEndResult,
  SessionStarted,
  mayEndSession,
  startRefusal,
  toPilothouseError,
  type MachineSession,
  type PushPayload,
  type PushReply,
} from '@pilothouse/protocol';
import type { z } from 'zod';
import type { PushContext } from '../channels/pushes.js';

type MachinePushName = 'machine_state' | 'machine_reply' | 'list_machines' | 'session_start' | 'session_changes' | 'session_end';
type Handlers = { [K in MachinePushName]: (ctx: PushContext, payload: PushPayload<K>) => Promise<PushReply<K>> };

const actorOf = (ctx: PushContext) => ({ user_id: ctx.principal.userId, name: ctx.principal.name });
const channelName = (ctx: PushContext) => `${ctx.channel.workspace}/${ctx.channel.name}`;

/** The daemon's answer parsed by its schema: a daemon that answers nonsense is reported, not trusted. */
function parseAnswer<T extends z.ZodTypeAny>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new PilothouseError('internal', `The machine's answer to ${what} does not match the protocol: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
  return parsed.data;
}

function sessionOf(ctx: PushContext, p: { machine: string; owner_id: string; session_id: string }): MachineSession {
  const machine = ctx.machines.get(ctx.channel.id, p.owner_id, p.machine);
  const session = machine.sessions.find((s) => s.session_id === p.session_id);
  if (!session) throw new PilothouseError('machine_session_not_found', `No session ${p.session_id} on ${p.machine}.`);
  return session;
}

export const machinePushHandlers: Handlers = {
  async machine_state(ctx, p) {
    // A person's login is not a machine: only a runner-scoped token reports one (as for runners).
    if (ctx.principal.via === 'session' || ctx.principal.scope !== 'runner') {
      throw new PilothouseError('runner_token_required', `A machine daemon needs a runner-scoped token (pilothouse token create --user ${ctx.principal.name} --scope runner); this credential cannot report a machine.`);
    }
    if (ctx.machine !== null && ctx.machine !== p.name.toLowerCase()) {
      throw new PilothouseError('bad_request', `This socket reports the machine ${ctx.machine}; a daemon reports one machine per socket.`);
    }
    ctx.machines.report(ctx.channel.id, actorOf(ctx), ctx.sub, p);
    ctx.setMachine(p.name.toLowerCase());
    return { ok: true as const };
  },

  async machine_reply(ctx, p) {
    ctx.machines.reply(ctx.channel.id, ctx.sub, p);
    return { ok: true as const };
  },

  async list_machines(ctx) {
    return { machines: ctx.machines.list(ctx.channel.id) };
  },

  async session_start(ctx, p) {
    const actor = actorOf(ctx);
    const auditActor = { id: actor.user_id, name: actor.name };
    const detail = { machine: p.machine, folder: p.folder, agent: p.agent, worktree: p.worktree };
    const refuse = async (err: PilothouseError): Promise<never> => {
      await ctx.audit({ actor: auditActor, action: 'session_start_refused', channel: channelName(ctx), detail: { ...detail, code: err.code, message: err.message } });
      throw err;
    };
    let started: MachineSession;
    try {
      const machine = ctx.machines.get(ctx.channel.id, p.owner_id, p.machine);
      if (!machine.online) throw new PilothouseError('machine_offline', `${machine.name} is offline (last seen ${machine.last_seen}); its owner starts it with pilothouse machine.`);
      const refusal = startRefusal(machine, p, actor);
      if (refusal) throw new PilothouseError(refusal.code, refusal.message);
      const answer = await ctx.machines.request(ctx.channel.id, p.owner_id, p.machine, actor, { op: 'start', start: p });
      started = parseAnswer(SessionStarted, answer, 'session_start').session;
    } catch (err) {
      return refuse(toPilothouseError(err));
    }
    if (started.thread_id === null) return refuse(new PilothouseError('internal', `${p.machine} started session ${started.session_id} without a thread.`));
    // The first instruction, as the person who started it: the runner queues it like any other (idempotent by client_id).
    await ctx.store.postMessage(ctx.channel.id, { userId: actor.user_id, name: actor.name, runnerId: null }, { client_id: p.client_id, body: p.instruction, thread_id: started.thread_id, kind: 'text' });
    await ctx.store.audit({
      actor: auditActor,
      action: 'session_started',
      channel: channelName(ctx),
      detail: { ...detail, session_id: started.session_id, thread_id: started.thread_id, branch: started.branch },
    });
    return { session: started };
  },

  async session_changes(ctx, p) {
    sessionOf(ctx, p);
    const answer = await ctx.machines.request(ctx.channel.id, p.owner_id, p.machine, actorOf(ctx), { op: 'changes', session_id: p.session_id });
    return parseAnswer(SessionChanges, answer, 'session_changes');
  },

  async session_end(ctx, p) {
    const actor = actorOf(ctx);
    const auditActor = { id: actor.user_id, name: actor.name };
    const detail = { machine: p.machine, session_id: p.session_id, how: p.how };
    let result: PushReply<'session_end'>;
    try {
      const session = sessionOf(ctx, p);
      if (!mayEndSession(session, actor)) {
        throw new PilothouseError('sender_not_allowed', `${actor.name} may not end this session; the people who steer it may: ${session.allowed.join(', ')}.`);
      }
      if (p.how === 'discard' && p.confirm !== true) {
        throw new PilothouseError('confirmation_required', `Discarding deletes the worktree and the branch ${session.branch ?? ''} with all its work; confirm to go on.`);
      }
      const answer = await ctx.machines.request(ctx.channel.id, p.owner_id, p.machine, actor, { op: 'end', end: p });
      result = parseAnswer(SessionEndResult, answer, 'session_end');
    } catch (err) {
      const e = toPilothouseError(err);
      await ctx.audit({ actor: auditActor, action: 'session_end_refused', channel: channelName(ctx), detail: { ...detail, code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } });
      throw e;
    }
    await ctx.store.audit({ actor: auditActor, action: `session_${p.how}`, channel: channelName(ctx), detail: { ...detail, thread_id: result.session.thread_id, message: result.message } });
    return result;
  },
};
