// `pilothouse hub --retain-event-payloads DAYS`: whole days from 1 to 36500, from the flag, its
// environment variable or `[server] retain_event_payloads_days` in config.toml (in that order);
// without any, payloads are kept forever. Anything else is a usage error naming the rule.
import { CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config/config.js';
import { hubCommand, retainDays } from './hub.js';

const ENV = 'PILOTHOUSE_RETAIN_EVENT_PAYLOADS_DAYS';
const RULE = 'must be a whole number of days from 1 to 36500, e.g. 90 (leave it out to keep payloads forever).';

/** The options as the action would get them (the action itself, which starts the hub, is replaced). */
function parse(args: string[]): Record<string, unknown> {
  let opts: Record<string, unknown> = {};
  const command = hubCommand()
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .action((o: Record<string, unknown>) => void (opts = o));
  command.parse(args, { from: 'user' });
  return opts;
}

function failure(args: string[]): string {
  try {
    parse(args);
  } catch (err) {
    if (err instanceof CommanderError) return err.message;
    throw err;
  }
  throw new Error('expected the flags to be refused');
}

const config = (source: string) => parseConfig('/home/me/.pilothouse/config.toml', source);

describe('pilothouse hub --retain-event-payloads', () => {
  afterEach(() => {
    delete process.env[ENV];
  });

  it('takes whole days; without it, nothing is retained less than forever', () => {
    expect(parse(['--retain-event-payloads', '90']).retainEventPayloads).toBe(90);
    expect(parse(['--retain-event-payloads', '36500']).retainEventPayloads).toBe(36500);
    expect(parse(['--retain-event-payloads', '1']).retainEventPayloads).toBe(1);
    expect(parse([]).retainEventPayloads).toBeUndefined();
  });

  it.each([['0'], ['-5'], ['1.5'], ['36501'], ['1e3'], ['ninety'], [''], ['90d']])('refuses %j with the rule, as a usage error', (days) => {
    expect(failure(['--retain-event-payloads', days])).toBe(`error: option '--retain-event-payloads <days>' argument '${days}' is invalid. ${RULE}`);
  });

  it(`reads ${ENV} when the flag is not given; the flag wins`, () => {
    process.env[ENV] = '45';
    expect(parse([]).retainEventPayloads).toBe(45);
    expect(parse(['--retain-event-payloads', '30']).retainEventPayloads).toBe(30);
  });

  it(`refuses a bad ${ENV}, naming the variable`, () => {
    process.env[ENV] = '0';
    expect(failure([])).toBe(`error: option '--retain-event-payloads <days>' value '0' from env '${ENV}' is invalid. ${RULE}`);
  });

  it('falls back to [server] retain_event_payloads_days in config.toml, then to keeping payloads forever', () => {
    const file = config('[server]\nretain_event_payloads_days = 180');
    expect(file.hubServer).toEqual({ retainEventPayloadsDays: 180 });
    expect(retainDays(undefined, file)).toBe(180);
    expect(retainDays(30, file)).toBe(30);
    expect(retainDays(undefined, config('[run]\nmodel = "m"'))).toBeNull();
  });
});
