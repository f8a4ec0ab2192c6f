// The effect runner's row writes: a row the hub refuses is logged with the turn it belongs to, and
// an append or update the hub refused goes back to the session as `row_refused`; a model probe's
// answer goes back as `model_probed`.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { PilothouseError } from '@pilothouse/protocol';
import type { HubClient } from '../hub/api.js';
import type { SessionInput } from '../session/index.js';
import type { AgentDriver } from '../agent/driver.js';
import { EffectRunner } from './effect-runner.js';

function refusingRunner() {
  const logs: Record<string, unknown>[] = [];
  const fed: SessionInput[] = [];
  let settled: () => void = () => {};
  const refusals = new Promise<void>((resolve) => (settled = resolve));
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const hub = {
    push: () => Promise.reject(new PilothouseError('row_not_found', 'No row with that item key.')),
  } as unknown as HubClient;
  const runner = new EffectRunner({
    hub,
    agent: {} as AgentDriver,
    ports: { open: () => {}, closePreview: () => {}, scan: () => {} },
    feed: (input) => {
      fed.push(input);
      settled();
    },
    log,
    bound: () => 'thread-1',
    allowed: ['alice'],
    remember: () => {},
  });
  return { runner, logs, fed, refusals };
}

describe('effect runner: refused row writes', () => {
  it('logs a refused append with its turn id and feeds row_refused back', async () => {
    const { runner, logs, fed, refusals } = refusingRunner();
    runner.perform({ type: 'append', turn_id: 'turn-7', payload: { item_key: 'turn-7:msg_1', offset: 0, text: 'hi' } });
    await refusals;
    expect(logs.filter((l) => l.event === 'forward_failed')).toEqual([
      expect.objectContaining({ level: 40, push: 'append', item_key: 'turn-7:msg_1', turn_id: 'turn-7', code: 'row_not_found', err: 'No row with that item key.' }),
    ]);
    expect(fed).toEqual([{ type: 'row_refused', now: expect.any(Number), item_key: 'turn-7:msg_1', code: 'row_not_found' }]);
  });
});

describe('effect runner: model probes', () => {
  it('asks the URL with its probe and feeds the answer back as model_probed for that turn', async () => {
    const asked: string[] = [];
    const fed: SessionInput[] = [];
    let settled: () => void = () => {};
    const answered = new Promise<void>((resolve) => (settled = resolve));
    const runner = new EffectRunner({
      hub: {} as HubClient,
      agent: {} as AgentDriver,
      ports: { open: () => {}, closePreview: () => {}, scan: () => {} },
      feed: (input) => {
        fed.push(input);
        settled();
      },
      log: pino({ level: 'silent' }),
      bound: () => 'thread-1',
      allowed: ['alice'],
      remember: () => {},
      probe: (url) => {
        asked.push(url);
        return Promise.resolve({ answered: false, problem: 'connect ECONNREFUSED 127.0.0.1:9' });
      },
    });
    runner.perform({ type: 'probe_model', turnId: 'turn-7', url: 'http://127.0.0.1:9' });
    await answered;
    expect(asked).toEqual(['http://127.0.0.1:9']);
    expect(fed).toEqual([{ type: 'model_probed', now: expect.any(Number), turnId: 'turn-7', result: { answered: false, problem: 'connect ECONNREFUSED 127.0.0.1:9' } }]);
  });
});
