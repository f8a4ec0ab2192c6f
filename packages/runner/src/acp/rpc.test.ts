import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AcpError } from './errors.js';
import { AcpConnection } from './rpc.js';

function setup(maxLineBytes?: number) {
  const agentOut = new PassThrough();
  const agentIn = new PassThrough();
  const seen: unknown[] = [];
  const errors: string[] = [];
  const rpc = new AcpConnection(
    agentOut,
    agentIn,
    { onNotification: (method, params) => seen.push(['notification', method, params]), onRequest: (id, method, params) => seen.push(['request', id, method, params]), onProtocolError: (m) => errors.push(m) },
    maxLineBytes,
  );
  const written: string[] = [];
  agentIn.setEncoding('utf8');
  agentIn.on('data', (c: string) => written.push(...c.split('\n').filter((l) => l !== '')));
  const flush = () => new Promise((resolve) => setImmediate(resolve));
  return { agentOut, rpc, seen, errors, written, flush };
}

describe('AcpConnection', () => {
  it('requests carry jsonrpc 2.0 and resolve with their answer; errors reject with the agent’s message', async () => {
    const { agentOut, rpc, written, flush } = setup();
    const ok = rpc.request('session/new', { cwd: '/w', mcpServers: [] });
    const bad = rpc.request('session/load', { sessionId: 'x' });
    await flush();
    expect(written.map((l) => JSON.parse(l) as unknown)).toEqual([
      { jsonrpc: '2.0', id: 0, method: 'session/new', params: { cwd: '/w', mcpServers: [] } },
      { jsonrpc: '2.0', id: 1, method: 'session/load', params: { sessionId: 'x' } },
    ]);
    agentOut.write('{"jsonrpc":"2.0","id":0,"result":{"sessionId":"s"}}\n{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"Internal error","data":{"details":"No previous sessions found for this project."}}}\n');
    await expect(ok).resolves.toEqual({ sessionId: 's' });
    await expect(bad).rejects.toMatchObject({ code: 'acp_rpc_error', message: expect.stringContaining('No previous sessions found') });
  });

  it('a malformed line and an over-long one are reported and skipped; the next message is read', async () => {
    const { agentOut, seen, errors, flush } = setup(100);
    agentOut.write('not json\n');
    agentOut.write(`{"jsonrpc":"2.0","method":"session/update","params":{"pad":"${'x'.repeat(200)}"}}\n`);
    agentOut.write('{"jsonrpc":"2.0","id":5,"method":"session/request_permission","params":{}}\n');
    await flush();
    expect(errors).toEqual([expect.stringContaining('not JSON'), expect.stringMatching(/skipped a line of \d+ bytes/)]);
    expect(seen).toEqual([['request', 5, 'session/request_permission', {}]]);
  });

  it('fail() rejects what is pending and everything later; answers to a dead agent are dropped', async () => {
    const { rpc, written, flush } = setup();
    const pending = rpc.request('session/prompt', {});
    rpc.fail(new AcpError('acp_exited', 'the agent exited (code 1)'));
    await expect(pending).rejects.toMatchObject({ code: 'acp_exited' });
    await expect(rpc.request('session/new', {})).rejects.toMatchObject({ code: 'acp_exited' });
    rpc.respond(0, { result: {} });
    rpc.notify('session/cancel', {});
    await flush();
    expect(written).toHaveLength(1);
  });
});
