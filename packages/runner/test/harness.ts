// Integration harness: a scripted model, a scratch CODEX_HOME, a scratch workspace and a
// real `codex app-server`, plus a recorder that waits for notifications (never sleeps).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScriptedModel, type ScriptedModel } from '@pilothouse/scripted-model';
import { startCodex, type CodexAppServer, type CodexEvent, type NotificationParams, type ServerNotification } from '../src/index.js';
import { createCodexHome, type CodexHome, type CodexHomeOptions } from './codex-home.js';

type Method = ServerNotification['method'];

/** Every event of one app-server, kept in order, with waits on what is still to come. */
export class EventRecorder {
  readonly events: CodexEvent[] = [];
  #waiters = new Set<() => void>();

  constructor(codex: CodexAppServer) {
    codex.onEvent((event) => {
      this.events.push(event);
      for (const wake of [...this.#waiters]) wake();
    });
  }

  /** Params of every `method` notification so far. */
  all<M extends Method>(method: M): NotificationParams<M>[] {
    return this.events.flatMap((e) =>
      e.type === 'notification' && e.notification.method === method ? [e.notification.params as NotificationParams<M>] : [],
    );
  }

  /** Notification methods in arrival order (handy for asserting sequences). */
  methods(): string[] {
    return this.events.flatMap((e) => (e.type === 'notification' ? [e.notification.method] : []));
  }

  /** Resolves with the first `method` notification (past or future) that matches. */
  waitFor<M extends Method>(method: M, match: (params: NotificationParams<M>) => boolean = () => true, timeoutMs = 20_000): Promise<NotificationParams<M>> {
    return this.until(() => this.all(method).find(match), `${method} notification`, timeoutMs);
  }

  /** Resolves once `probe` returns a value; re-probed on every event. */
  until<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = probe();
        if (found === undefined) return false;
        settle();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        settle();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; seen: ${this.methods().slice(-30).join(', ')}`));
      }, timeoutMs);
      const wake = () => void check();
      const settle = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
      };
      this.#waiters.add(wake);
      check();
    });
  }
}

export interface Harness {
  readonly model: ScriptedModel;
  readonly home: CodexHome;
  readonly workspace: string;
  codex: CodexAppServer;
  recorder: EventRecorder;
  /** Closes the app-server and starts a new one on the same CODEX_HOME and workspace. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startHarness(options: Omit<CodexHomeOptions, 'modelUrl'> = {}): Promise<Harness> {
  const model = await startScriptedModel();
  const home = await createCodexHome({ ...options, modelUrl: model.url });
  const workspace = await mkdtemp(join(tmpdir(), 'pilothouse-ws-'));
  const spawn = () => startCodex({ cwd: workspace, env: home.env, clientInfo: { name: 'pilothouse-test', title: null, version: '0.0.0' } });
  let codex = await spawn();
  const harness: Harness = {
    model,
    home,
    workspace,
    codex,
    recorder: new EventRecorder(codex),
    restart: async () => {
      await codex.close();
      codex = await spawn();
      harness.codex = codex;
      harness.recorder = new EventRecorder(codex);
    },
    dispose: async () => {
      await codex.close();
      await model.close();
      await Promise.all([home.remove(), rm(workspace, { recursive: true, force: true })]);
    },
  };
  return harness;
}
