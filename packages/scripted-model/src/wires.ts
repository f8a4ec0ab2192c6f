// The three wires one scripted model speaks: which paths belong to which, how a request is read
// into a TurnInput for the queue or the cue script, and how a chosen reply is written back. The
// reply plan is shared (shape.ts); only the reading and the encoding differ per wire.
import { anthropicMessage, encodeAnthropic } from './anthropic.js';
import { readAnthropicRequest } from './anthropic-request.js';
import { readTurnInput, type TurnInput } from './cues.js';
import { encodeGemini, encodeGeminiSse, geminiResponse } from './gemini.js';
import { readGeminiRequest } from './gemini-request.js';
import { encodeResponses, type IdSource, type Plan } from './plan.js';
import type { Reply } from './reply.js';
import { shapeReply, type Shape } from './shape.js';
import { encodeSse } from './sse.js';
import { sideAnswer, sideJson } from './side-calls.js';

export type Wire = 'responses' | 'anthropic' | 'gemini';

/** What the server writes: a JSON body, or a stream of already-framed SSE text. */
export type Answer = { readonly kind: 'json'; readonly status: number; readonly body: unknown } | Extract<Plan<string>, { kind: 'stream' }>;

/** One request as the server handles it. */
export interface Exchange {
  readonly wire: Wire;
  readonly input: TurnInput;
  /**
   * Set for requests that must not consume a queued reply or a cue step: token counts, model
   * lists, an agent's side calls (titles, summaries, JSON checks). They are answered with this.
   */
  readonly aside?: Reply | { readonly type: 'json'; readonly body: unknown } | undefined;
  /** Encodes the chosen reply for this wire. */
  readonly answer: (reply: Reply, nextId: IdSource) => Answer;
}

const GEMINI = /^\/v1(?:beta|alpha|)\/models\/([^/:]+):(streamGenerateContent|generateContent|countTokens)$/;

/** Which wire a request belongs to, and how to read it; undefined for an unknown route. */
export function exchangeFor(method: string, path: string, body: unknown): Exchange | undefined {
  if (method === 'POST' && path === '/v1/responses') {
    return { wire: 'responses', input: readTurnInput(body), answer: (reply, nextId) => framed(encodeResponses(shapeReply(reply), nextId), encodeSse) };
  }
  if (method === 'POST' && path === '/v1/messages') {
    const request = readAnthropicRequest(body);
    const context = { model: request.model, cwd: request.cwd };
    return {
      wire: 'anthropic',
      input: request.input,
      aside: request.side ? sideAnswer('anthropic', body) : undefined,
      answer: (reply, nextId) => {
        const shape = shapeReply(reply);
        if (request.stream || shape.kind === 'http_error') return framed(encodeAnthropic(shape, context, nextId), encodeSse);
        return { kind: 'json', status: 200, body: anthropicMessage(shape, context, nextId) };
      },
    };
  }
  if (method === 'POST' && path === '/v1/messages/count_tokens') {
    return { wire: 'anthropic', input: { type: 'unknown' }, aside: { type: 'json', body: { input_tokens: 10 } }, answer: unreachable };
  }
  // Not `/v1/models`: Codex asks it, and gets its usual 404 from here.
  if (method === 'GET' && path === '/v1beta/models') {
    return { wire: 'gemini', input: { type: 'unknown' }, aside: { type: 'json', body: GEMINI_MODELS }, answer: unreachable };
  }
  const gemini = GEMINI.exec(path);
  if (method === 'POST' && gemini) {
    const [, model = 'gemini', op] = gemini;
    const request = readGeminiRequest(body);
    const context = { model, cwd: request.cwd };
    if (op === 'countTokens') return { wire: 'gemini', input: request.input, aside: { type: 'json', body: { totalTokens: 10 } }, answer: unreachable };
    const stream = op === 'streamGenerateContent';
    return {
      wire: 'gemini',
      input: request.input,
      // Gemini CLI's own checks (next speaker, loop detection, edit correction) ask for JSON or do not stream.
      aside: request.wantsJson ? { type: 'json', body: geminiResponse(textShape(JSON.stringify(sideJson(request.responseSchema))), context) } : stream ? undefined : sideAnswer('gemini', body),
      answer: (reply, nextId) => {
        const shape = shapeReply(reply);
        if (stream || shape.kind === 'http_error') return framed(encodeGemini(shape, context, nextId), encodeGeminiSse);
        return { kind: 'json', status: 200, body: geminiResponse(shape, context) };
      },
    };
  }
  return undefined;
}

function framed<E>(plan: Plan<E>, frame: (event: E) => string): Answer {
  if (plan.kind === 'http_error') return { kind: 'json', status: plan.status, body: plan.body };
  return { ...plan, frames: plan.frames.map((f) => ({ event: frame(f.event), delayMs: f.delayMs })), tail: plan.tail.map(frame) };
}

function textShape(text: string): Extract<Shape, { kind: 'stream' }> {
  return { kind: 'stream', items: [{ type: 'message', chunks: [text] }], delayMs: 0, ending: { type: 'completed' } };
}

const GEMINI_MODELS = {
  models: [{ name: 'models/gemini-2.5-flash', displayName: 'Gemini (scripted)', supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'] }],
};

function unreachable(): never {
  throw new Error('scripted model: this route answers without a reply');
}
