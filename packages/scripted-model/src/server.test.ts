import { afterEach, describe, expect, it } from 'vitest';
import { startScriptedModel, type ScriptedModel } from './server.js';

let model: ScriptedModel | undefined;
afterEach(async () => {
  await model?.close();
  model = undefined;
});

async function start(): Promise<ScriptedModel> {
  model = await startScriptedModel();
  return model;
}

function post(m: ScriptedModel, body: unknown = { model: 'gpt-5.5', input: [] }, signal?: AbortSignal): Promise<Response> {
  return fetch(`${m.url}/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-fake' },
    body: JSON.stringify(body),
    signal: signal ?? null,
  });
}

/** Parses an SSE body into `{event, data}` pairs, checking the event name matches `data.type`. */
function parseSse(text: string): { event: string; data: { type: string; [k: string]: unknown } }[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const event = /^event: (.*)$/m.exec(frame)?.[1] ?? '';
      const data = JSON.parse(/^data: (.*)$/m.exec(frame)?.[1] ?? 'null');
      return { event, data };
    });
}

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, needle: string): Promise<string> {
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(needle)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${needle}: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  return text;
}

describe('startScriptedModel', () => {
  it('answers each POST with the next queued reply as SSE and records the request', async () => {
    const m = await start();
    expect(m.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    m.enqueue({ type: 'text', chunks: ['Hel', 'lo'] }, { type: 'text', chunks: ['second'] });

    const res = await post(m, { model: 'gpt-5.5', input: [{ role: 'user' }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const frames = parseSse(await res.text());
    for (const f of frames) expect(f.event).toBe(f.data.type);
    expect(frames.filter((f) => f.event === 'response.output_text.delta').map((f) => f.data.delta)).toEqual(['Hel', 'lo']);
    expect(frames.at(-1)?.event).toBe('response.completed');

    expect(m.pending()).toBe(1);
    expect(m.requests).toEqual([
      expect.objectContaining({ n: 1, method: 'POST', path: '/v1/responses', scripted: true, body: { model: 'gpt-5.5', input: [{ role: 'user' }] } }),
    ]);
    expect(m.requests[0]?.headers.authorization).toBe('Bearer sk-fake');
  });

  it('fails fast with a 500 when nothing is queued', async () => {
    const m = await start();
    const res = await post(m);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { message: 'scripted model: no reply queued for request #1', type: 'server_error' } });
    expect(m.requests[0]?.scripted).toBe(false);
  });

  it('answers http_error replies with their status and JSON body', async () => {
    const m = await start();
    m.enqueue({ type: 'http_error', status: 400, body: { error: { message: 'bad' } } });
    const res = await post(m);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message: 'bad' } });
  });

  it('holds a hang reply open until released, then completes it', async () => {
    const m = await start();
    m.enqueue({ type: 'hang', chunks: ['wait'] });
    const res = await post(m);
    const reader = res.body!.getReader();
    let text = await readUntil(reader, '"delta":"wait"');
    expect(text).not.toContain('response.completed');
    expect(m.release()).toBe(1);
    text += await readUntil(reader, 'response.completed');
    expect(parseSse(text).map((f) => f.event)).toEqual([
      'response.created',
      'response.output_item.added',
      'response.output_text.delta',
      'response.output_item.done',
      'response.completed',
    ]);
  });

  it('lets go of a held response when the client disconnects', async () => {
    const m = await start();
    m.enqueue({ type: 'hang', chunks: ['x'] }, { type: 'text', chunks: ['after'] });
    const abort = new AbortController();
    const res = await post(m, undefined, abort.signal);
    await readUntil(res.body!.getReader(), '"delta":"x"');
    abort.abort();
    const next = await post(m);
    expect(await next.text()).toContain('"delta":"after"');
    expect(m.release()).toBe(0);
  });

  it('resolves waitForRequest for past and future requests and times out clearly', async () => {
    const m = await start();
    m.enqueue({ type: 'text', chunks: ['a'] }, { type: 'text', chunks: ['b'] });
    const second = m.waitForRequest(2);
    await (await post(m, { n: 1 })).text();
    expect((await m.waitForRequest(1)).body).toEqual({ n: 1 });
    await (await post(m, { n: 2 })).text();
    expect((await second).body).toEqual({ n: 2 });
    await expect(m.waitForRequest(3, { timeoutMs: 20 })).rejects.toThrow('request #3 did not arrive within 20 ms (2 so far)');
  });

  it('rejects replies that do not match the schema and answers 404 elsewhere', async () => {
    const m = await start();
    expect(() => m.enqueue({ type: 'text' } as never)).toThrow();
    const res = await fetch(`${m.url}/models`);
    expect(res.status).toBe(404);
    expect(m.requests).toEqual([]);
  });
});
