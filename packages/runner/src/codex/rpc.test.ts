import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CodexError } from './errors.js';
import { RpcConnection, type RpcAnswer, type RpcHandlers } from './rpc.js';

/** A fake child: we write its stdout, read what the connection writes to its stdin. */
function setup(onRequest: RpcHandlers['onRequest'] = async () => ({ result: null })) {
  const childStdout = new PassThrough();
  const childStdin = new PassThrough();
  const notifications: [string, unknown][] = [];
  const protocolErrors: CodexError[] = [];
  const rpc = new RpcConnection(childStdout, childStdin, {
    onNotification: (method, params) => notifications.push([method, params]),
    onRequest,
    onProtocolError: (error) => protocolErrors.push(error),
  });
  const written: unknown[] = [];
  let buffered = '';
  const waiters: (() => void)[] = [];
  childStdin.setEncoding('utf8');
  childStdin.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) written.push(JSON.parse(line));
    for (const wake of waiters.splice(0)) wake();
  });
  /** Resolves once `n` lines have been written to the child. */
  const writtenCount = async (n: number) => {
    while (written.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    return written;
  };
  const send = (line: string) => childStdout.write(`${line}\n`);
  return { rpc, send, written, writtenCount, notifications, protocolErrors };
}

describe('RpcConnection', () => {
  it('sends numbered requests and resolves each with its own response', async () => {
    const { rpc, send, writtenCount } = setup();
    const first = rpc.request('thread/start', { cwd: '/w' });
    const second = rpc.request('turn/start');
    expect(await writtenCount(2)).toEqual([
      { id: 1, method: 'thread/start', params: { cwd: '/w' } },
      { id: 2, method: 'turn/start' },
    ]);
    send('{"id":2,"result":{"turn":1}}');
    send('{"id":1,"result":{"thread":1}}');
    expect(await first).toEqual({ thread: 1 });
    expect(await second).toEqual({ turn: 1 });
  });

  it('routes a server request whose id collides with a pending request of ours by its method', async () => {
    const seen: [string, unknown, unknown][] = [];
    const { rpc, send, writtenCount } = setup(async (method, params, id): Promise<RpcAnswer> => {
      seen.push([method, params, id]);
      return { result: { decision: 'accept' } };
    });
    const pending = rpc.request('turn/start');
    send('{"id":1,"method":"item/commandExecution/requestApproval","params":{"itemId":"call_1"}}');
    expect(await writtenCount(2)).toEqual([{ id: 1, method: 'turn/start' }, { id: 1, result: { decision: 'accept' } }]);
    expect(seen).toEqual([['item/commandExecution/requestApproval', { itemId: 'call_1' }, 1]]);
    send('{"id":1,"result":{"turn":"t"}}');
    expect(await pending).toEqual({ turn: 't' });
  });

  it('answers a server request with a JSON-RPC error when the handler throws or refuses', async () => {
    const { send, writtenCount } = setup(async (method): Promise<RpcAnswer> => {
      if (method === 'a') throw new Error('handler broke');
      return { error: { code: -32601, message: 'nope' } };
    });
    send('{"id":0,"method":"a"}');
    await writtenCount(1);
    send('{"id":1,"method":"b"}');
    expect(await writtenCount(2)).toEqual([
      { id: 0, error: { code: -32603, message: 'handler broke' } },
      { id: 1, error: { code: -32601, message: 'nope' } },
    ]);
  });

  it('delivers notifications and reports malformed lines without stopping', async () => {
    const { rpc, send, notifications, protocolErrors } = setup();
    send('\u001b[33mWARN\u001b[0m not json');
    send('{"id":99,"result":{}}');
    send('{"method":"turn/started","params":{"threadId":"t"}}');
    const pending = rpc.request('x');
    send('{"id":1,"result":"still alive"}');
    expect(await pending).toBe('still alive');
    expect(notifications).toEqual([['turn/started', { threadId: 't' }]]);
    expect(protocolErrors.map((e) => [e.code, e.message])).toEqual([
      ['codex_protocol_error', expect.stringContaining('unreadable line from codex app-server (not JSON)')],
      ['codex_protocol_error', 'codex app-server answered unknown request id 99: {"id":99,"result":{}}'],
    ]);
  });

  it('rejects with codex_rpc_error when the server answers an error', async () => {
    const { rpc, send } = setup();
    const pending = rpc.request('thread/resume', { threadId: 'x' });
    send('{"id":1,"error":{"code":-32600,"message":"no rollout found"}}');
    await expect(pending).rejects.toMatchObject({
      code: 'codex_rpc_error',
      message: 'codex app-server refused thread/resume: no rollout found (code -32600)',
      details: { code: -32600, message: 'no rollout found' },
    });
  });

  it('rejects pending and later requests once failed', async () => {
    const { rpc } = setup();
    const pending = rpc.request('initialize');
    const error = new CodexError('codex_exited', 'codex app-server exited (code 1); stderr: Error: bad config');
    rpc.fail(error);
    rpc.fail(new CodexError('codex_closed'));
    await expect(pending).rejects.toBe(error);
    await expect(rpc.request('thread/start')).rejects.toBe(error);
    expect(() => rpc.notify('initialized')).toThrow(error);
  });
});
