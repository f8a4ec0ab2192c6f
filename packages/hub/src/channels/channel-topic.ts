// The `channel:WS/CH` topic: join (membership, replay from `since`, then live) and the dispatch of
// every push through the protocol's table (schema parse, who-may check, handler).

import type { Logger } from 'pino';
import {
  assertNever,
  ChannelPushes,
  JoinPayload,
  PilothouseError,
  isChannelPushName,
  parseTopic,
  type ChannelEvent,
  type JoinReply,
} from '@pilothouse/protocol';
import type { MembershipCache } from '../auth/membership.js';
import { credentialRefusal } from '../auth/authenticate.js';
import type { Store } from '../store/store.js';
import type { JoinContext, TopicHandler, TopicSession } from '../socket/types.js';
import type { PreviewPushes } from '../previews/service.js';
import type { Fanout } from './fanout.js';
import { pushHandlers, type PushContext } from './pushes.js';
import type { Admission } from '../limits/admission.js';
import { FairQueue } from '../limits/fair-queue.js';
import type { AuditEntry } from '../limits/audit-coalesce.js';
import type { PresenceTracker } from './presence.js';
import type { MachineRegistry } from '../machines/registry.js';
import { startReplay, stepReplay, type ReplayEffect, type ReplayInput, type ReplayState } from './replay.js';

/** A replay page: at most this many events and about REPLAY_PAGE_CHARS characters of them. */
const REPLAY_PAGE = 500;
const REPLAY_PAGE_CHARS = 128 * 1024;
/** The next replay page is read only once the socket's unsent backlog is at most this (backpressure). */
export const REPLAY_LOW_WATER_BYTES = 256 * 1024;
/**
 * Replay pages: one at a time over the whole hub, round-robin by user, so a hundred sockets
 * replaying megabytes delay another member's request by about one page. Each socket has at most
 * one page waiting, so the per-user bound is never reached (32 sockets per user).
 */
const REPLAY_QUEUE = { concurrency: 1, perUser: 1, maxQueuedPerUser: 4096 };
/** Reads one socket may have waiting; more are refused with rate_limited. */
const MAX_READS_PER_SOCKET = 64;
/** Pushes that only read; they are served through the fair read queue. */
const READS: ReadonlySet<string> = new Set(['list_threads', 'get_thread', 'get_body']);
/** Ephemeral pushes (presence): their own rate class, nothing written. */
const PRESENCE: ReadonlySet<string> = new Set(['watch', 'typing']);

/** How often a joined topic re-checks that its user is still a member of the channel. */
export const MEMBERSHIP_RECHECK_MS = 10_000;

export function channelTopicHandler(deps: {
  store: Store;
  fanout: Fanout;
  logger: Logger;
  members: MembershipCache;
  previews: PreviewPushes;
  membershipRecheckMs?: number;
  /** Rate limits per user and socket; none when null. */
  admission?: Admission | null;
  /** The fair queue every read push goes through. */
  reads?: FairQueue;
  /** The fair queue replay pages go through: one page at a time hub-wide, so replays yield to requests. */
  replays?: FairQueue;
  /** Writes refusals to the audit log (coalesced in the hub); default: store.audit. */
  audit?: (entry: AuditEntry) => Promise<void>;
  /** Watchers and typing marks; publishes through the fan-out. */
  presence: PresenceTracker;
  /** The machines daemons reported, per channel. */
  machines: MachineRegistry;
}): TopicHandler {
  const { store, fanout, members } = deps;
  const reads = deps.reads ?? new FairQueue();
  const replays = deps.replays ?? new FairQueue(REPLAY_QUEUE);
  const audit = deps.audit ?? ((entry: AuditEntry) => store.audit(entry));
  return {
    async join({ principal, topic, payload, sub, close }: JoinContext) {
      const parsedTopic = parseTopic(topic);
      if (!parsedTopic) throw new PilothouseError('unknown_topic', `Unknown topic ${topic}.`);
      const join = JoinPayload.safeParse(payload ?? {});
      if (!join.success) throw new PilothouseError('invalid_payload', join.error.issues.map((i) => i.message).join('; '));
      // The credential was checked at the upgrade; the socket outlives it (a join closed for a revoked
      // token or a signed-out session must not be re-opened on the same connection).
      const dead = await credentialRefusal(store, principal);
      if (dead) throw dead;
      const channel = await store.channelByRef(parsedTopic.ref);
      const channelName = `${parsedTopic.ref.workspace}/${parsedTopic.ref.channel}`;
      const actor = { id: principal.userId, name: principal.name };
      if (!channel) {
        await audit({ actor, action: 'join_refused', channel: channelName, detail: { code: 'channel_not_found' } });
        throw new PilothouseError('channel_not_found', `No channel ${channelName}.`);
      }
      if (!(await store.isMember(channel.id, principal.userId))) {
        await audit({ actor, action: 'join_refused', channel: channelName, detail: { code: 'not_member' } });
        throw new PilothouseError('not_member', `${principal.name} is not a member of ${channelName}.`);
      }

      // Subscribe before reading the head: events committed from now on are buffered, none is missed.
      let replay: ReplayState = startReplay(join.data.since ?? 0);
      // Each page is read only once the socket has sent the previous one down to the low-water
      // mark, and not at all once it is closing: a reader that does not read costs one page.
      const catchUp = async () => {
        for (;;) {
          await sub.drained(REPLAY_LOW_WATER_BYTES);
          if (sub.closed) return;
          const events = await replays.run(principal.userId, () => store.eventsSince(channel.id, replay.lastSent, REPLAY_PAGE, REPLAY_PAGE_CHARS));
          if (sub.closed) return;
          step({ type: 'replayed', events });
          if (events.length === 0) break;
        }
        step({ type: 'caught_up' });
      };
      const perform = (effects: ReplayEffect[]) => {
        for (const e of effects) {
          switch (e.type) {
            case 'send_frame':
              sub.sendRaw(e.frame);
              break;
            case 'send_event':
              sub.push(e.event.type, e.event.payload);
              break;
            case 'fetch_since':
              catchUp().catch((err: unknown) => deps.logger.error({ err, channel: channel.id }, 'could not fill a gap in the feed'));
              break;
            default:
              assertNever(e);
          }
        }
      };
      function step(input: ReplayInput) {
        const next = stepReplay(replay, input);
        replay = next.state;
        perform(next.effects);
      }
      const unsubscribe = fanout.subscribe(channel.id, parsedTopic.ref, {
        deliver: (event: ChannelEvent, frame: string) => step({ type: 'live_event', event, frame }),
        ephemeral: (frame: string) => sub.sendRaw(frame),
      });

      let reply: JoinReply;
      try {
        const [head_seq, runners] = await Promise.all([store.headSeq(channel.id), store.runnersOf(channel.id)]);
        reply = { head_seq, channel: { id: channel.id, workspace: channel.workspace, name: channel.name }, runners, user: { user_id: principal.userId, name: principal.name } };
        // No `since`: live from the head. A `since` ahead of the head (another store?) is clamped.
        if (join.data.since === undefined || join.data.since > head_seq) replay = { ...replay, lastSent: head_seq };
      } catch (err) {
        unsubscribe();
        throw err;
      }

      let runner: PushContext['runner'] = null;
      let machine: string | null = null;
      const ctx: PushContext = {
        store,
        channel,
        principal,
        get runner() {
          return runner;
        },
        setRunner: (r) => {
          runner = r;
        },
        sub,
        previews: deps.previews,
        audit,
        presence: deps.presence,
        machines: deps.machines,
        get machine() {
          return machine;
        },
        setMachine: (name) => {
          machine = name;
        },
      };

      // A member removed from the channel (pilothouse member remove) stops receiving it within the
      // recheck interval, pushes or not; the client gets phx_close and does not rejoin.
      const removed = () => {
        deps.logger.info({ user: principal.name, channel: channelName }, 'member removed: closing the join');
        close();
      };
      const recheck = setInterval(() => {
        members.check(channel.id, principal.userId).then(
          (member) => {
            if (!member) removed();
          },
          (err: unknown) => deps.logger.warn({ err, channel: channel.id }, 'membership recheck failed'),
        );
        // A token revoked (or expired), or a session signed out, since the upgrade loses its joins too, within the same interval.
        credentialRefusal(store, principal).then(
          (refusal) => {
            if (!refusal) return;
            deps.logger.info({ user: principal.name, channel: channelName, token: principal.tokenId }, `${refusal.message} Closing the join.`);
            close();
          },
          (err: unknown) => deps.logger.warn({ err, channel: channel.id }, 'credential recheck failed'),
        );
      }, deps.membershipRecheckMs ?? MEMBERSHIP_RECHECK_MS);
      recheck.unref();

      // This socket's reads run one at a time, each once the previous reply has drained to the
      // low-water mark, then through the fair queue: a client pipelining hundreds of big reads gets
      // them as fast as it reads them, and cannot crowd out other users.
      let readTail: Promise<unknown> = Promise.resolve();
      let readsWaiting = 0;
      const readInTurn = <T>(fn: () => Promise<T>): Promise<T> => {
        if (readsWaiting >= MAX_READS_PER_SOCKET) {
          throw new PilothouseError('rate_limited', `Over ${MAX_READS_PER_SOCKET} reads are waiting on this socket; retry later.`, { retry_after_ms: 1000 });
        }
        readsWaiting++;
        const run = readTail.then(async () => {
          await sub.drained(REPLAY_LOW_WATER_BYTES);
          return reads.run(principal.userId, fn);
        });
        readTail = run.then(
          () => readsWaiting--,
          () => readsWaiting--,
        );
        return run;
      };

      const session: TopicSession = {
        async afterJoin() {
          if (join.data.since !== undefined) await catchUp();
          else step({ type: 'caught_up' });
        },

        async handle(event, raw) {
          if (!isChannelPushName(event)) throw new PilothouseError('unknown_event', `Unknown event ${event} on ${topic}.`);
          // Authorization on every push: a member removed since the join is refused and the join ended.
          if (!(members.cached(channel.id, principal.userId) ?? (await members.check(channel.id, principal.userId)))) {
            // After the error reply (a client drops replies of a channel it saw closed).
            setImmediate(removed);
            throw new PilothouseError('not_member', `${principal.name} is no longer a member of ${channelName}.`);
          }
          const spec = ChannelPushes[event];
          const parsed = spec.payload.safeParse(raw);
          if (!parsed.success) {
            throw new PilothouseError(
              'invalid_payload',
              parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; '),
            );
          }
          if (spec.who === 'runner' && runner === null) throw new PilothouseError('not_runner', `${event} needs runner_register first.`);
          if (spec.who === 'machine' && machine === null) throw new PilothouseError('not_machine', `${event} needs machine_state first.`);
          const cls = spec.who === 'runner' || spec.who === 'machine' ? 'runner' : READS.has(event) ? 'read' : PRESENCE.has(event) ? 'presence' : 'write';
          deps.admission?.admit(cls, principal.userId, sub.socketId);
          const handler = pushHandlers[event] as (c: PushContext, p: unknown) => Promise<unknown>;
          if (cls === 'read') return readInTurn(() => handler(ctx, parsed.data));
          return handler(ctx, parsed.data);
        },

        leave() {
          clearInterval(recheck);
          unsubscribe();
          deps.presence.apply(channel.id, { type: 'left', socketId: sub.socketId });
          if (machine !== null) deps.machines.left(channel.id, sub);
          const r = runner;
          if (r) {
            deps.previews.socketLeft(sub);
            store
              .setRunnerStatus(channel.id, { user_id: principal.userId, name: principal.name }, r.runnerId, {
                status: 'offline',
                instanceId: r.instanceId,
              })
              .catch((err: unknown) => deps.logger.warn({ err, runner: r.runnerId }, 'could not mark runner offline'));
          }
        },
      };
      return { reply, session };
    },
  };
}
