// A local fake of the OpenAI Responses API (Codex), the Anthropic Messages API (Claude Code) and
// the Gemini API (Gemini CLI): every agent request takes the next scripted Reply from one FIFO
// queue; an empty queue answers 500 so a mis-scripted test fails fast (or asks the `respond`
// option, which a cue script uses to answer what the person typed). Side calls (titles, token
// counts, model lists) are answered and recorded without consuming a reply. Routes: wires.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TurnInput } from './cues.js';
import { replySchema, type Reply } from './reply.js';
import { RequestLog, type RecordedRequest } from './request-log.js';
import { writeHttpError, writeStream } from './stream.js';
import { exchangeFor, type Answer } from './wires.js';

export interface ScriptedModelOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /**
   * Answers a request when nothing is queued (e.g. `cueResponder` for an interactive demo), given
   * the raw body and what it means for a cue script whatever the wire; its reply is validated like
   * a queued one. Without it an empty queue answers 500.
   */
  readonly respond?: (body: unknown, input: TurnInput) => Reply;
}

export interface ScriptedModel {
  /** Base URL for a provider config, e.g. `http://127.0.0.1:40123/v1`. */
  readonly url: string;
  /** Every request so far, in arrival order (side calls included, marked `side`). */
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

export async function startScriptedModel(options: ScriptedModelOptions = {}): Promise<ScriptedModel> {
  const host = options.host ?? '127.0.0.1';
  const queue: Reply[] = [];
  const log = new RequestLog();
  const held = new Set<() => void>();
  const closing = new AbortController();
  let lastId = 0;
  const nextId = (prefix: string) => `${prefix}_${++lastId}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const body = method === 'GET' ? undefined : parseBody(await readBody(req));
    const exchange = exchangeFor(method, path, body);
    if (!exchange) {
      writeHttpError(res, 404, { error: { message: `scripted model: no route for ${method} ${path}`, type: 'not_found' } });
      return;
    }
    if (exchange.aside) {
      log.record({ method, path, headers: req.headers, body, scripted: true, wire: exchange.wire, side: true });
      if (exchange.aside.type === 'json') writeJson(res, 200, exchange.aside.body);
      else await write(res, exchange.answer(exchange.aside, nextId));
      return;
    }
    const reply = queue.shift() ?? (options.respond ? replySchema.parse(options.respond(body, exchange.input)) : undefined);
    const recorded = log.record({ method, path, headers: req.headers, body, scripted: reply !== undefined, wire: exchange.wire, side: false });
    if (!reply) {
      const message = `scripted model: no reply queued for request #${recorded.n}`;
      writeHttpError(res, 500, { error: { message, type: 'server_error' } });
      return;
    }
    await write(res, exchange.answer(reply, nextId));
  }

  async function write(res: ServerResponse, answer: Answer): Promise<void> {
    switch (answer.kind) {
      case 'json':
        writeHttpError(res, answer.status, answer.body);
        return;
      case 'stream': {
        const gone = new AbortController();
        res.on('close', () => gone.abort());
        let resolveRelease = () => {};
        const released = new Promise<void>((resolve) => (resolveRelease = resolve));
        if (answer.hold) held.add(resolveRelease);
        try {
          await writeStream(res, answer, released, AbortSignal.any([gone.signal, closing.signal]));
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

function writeJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text; // Not JSON: keep the raw text so a test can still see what arrived.
  }
}
