// A local fake of the OpenAI Responses API: every POST /v1/responses takes the next
// scripted Reply from a FIFO queue; an empty queue answers 500 so a mis-scripted test fails fast
// (or asks the `respond` option, which a cue script uses to answer what the person typed).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { planReply } from './plan.js';
import { replySchema, type Reply } from './reply.js';
import { RequestLog, type RecordedRequest } from './request-log.js';
import { writeHttpError, writeStream } from './stream.js';

export interface ScriptedModelOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /**
   * Answers a request when nothing is queued (e.g. `cueResponder` for an interactive demo); its
   * reply is validated like a queued one. Without it an empty queue answers 500.
   */
  readonly respond?: (body: unknown) => Reply;
}

export interface ScriptedModel {
  /** Base URL for a provider config, e.g. `http://127.0.0.1:40123/v1`. */
  readonly url: string;
  /** Every POST /v1/responses so far, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Appends replies to the queue; each answers one future request. */
  enqueue(...replies: Reply[]): void;
  /** Replies queued but not yet consumed. */
  pending(): number;
  /** Resolves with the n-th request (1-based) once it has arrived. */
  waitForRequest(n: number, options?: { timeoutMs?: number }): Promise<RecordedRequest>;
  /** Finishes every held `hang` response normally; returns how many were released. */
  release(): number;
  /** Drops open connections (held streams included) and stops listening. */
  close(): Promise<void>;
}

const RESPONSES_PATH = '/v1/responses';

export async function startScriptedModel(options: ScriptedModelOptions = {}): Promise<ScriptedModel> {
  const host = options.host ?? '127.0.0.1';
  const queue: Reply[] = [];
  const log = new RequestLog();
  const held = new Set<() => void>();
  const closing = new AbortController();
  let lastId = 0;
  const nextId = (prefix: string) => `${prefix}_${++lastId}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'POST' || path !== RESPONSES_PATH) {
      writeHttpError(res, 404, { error: { message: `scripted model: no route for ${req.method} ${path}`, type: 'not_found' } });
      return;
    }
    const body = parseBody(await readBody(req));
    const reply = queue.shift() ?? (options.respond ? replySchema.parse(options.respond(body)) : undefined);
    const recorded = log.record({ method: req.method, path, headers: req.headers, body, scripted: reply !== undefined });
    if (!reply) {
      const message = `scripted model: no reply queued for request #${recorded.n}`;
      writeHttpError(res, 500, { error: { message, type: 'server_error' } });
      return;
    }
    const plan = planReply(reply, nextId);
    switch (plan.kind) {
      case 'http_error':
        writeHttpError(res, plan.status, plan.body);
        return;
      case 'stream': {
        const gone = new AbortController();
        res.on('close', () => gone.abort());
        let resolveRelease = () => {};
        const released = new Promise<void>((resolve) => (resolveRelease = resolve));
        if (plan.hold) held.add(resolveRelease);
        try {
          await writeStream(res, plan, released, AbortSignal.any([gone.signal, closing.signal]));
        } finally {
          held.delete(resolveRelease);
        }
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
      else writeHttpError(res, 500, { error: { message: `scripted model crashed: ${String(error)}`, type: 'server_error' } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}/v1`,
    requests: log.entries,
    enqueue: (...replies) => {
      queue.push(...replies.map((reply) => replySchema.parse(reply)));
    },
    pending: () => queue.length,
    waitForRequest: (n, waitOptions) => log.waitFor(n, waitOptions?.timeoutMs ?? 15_000),
    release: () => {
      const count = held.size;
      for (const resolve of held) resolve();
      held.clear();
      return count;
    },
    close: async () => {
      closing.abort();
      log.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // Not JSON: keep the raw text so a test can still see what arrived.
  }
}
