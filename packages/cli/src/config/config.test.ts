import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig, withConfig, type ConfigurableFlags } from './config.js';

const PATH = '/home/me/.pilothouse/config.toml';
const messageOf = (source: string): string => {
  try {
    parseConfig(PATH, source);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('config.toml', () => {
  it('reads the hub, token, channel and [run] defaults', () => {
    const source = ['hub = "http://127.0.0.1:4860/"', 'token = "ph_abc"', 'channel = "acme/agents"', '', '[run]', 'model = "gpt-5.5"', 'effort = "high"', 'sandbox = "workspace-write"', 'approval_policy = "on-request"', 'fast = true'].join('\n');
    expect(parseConfig(PATH, source)).toEqual({
      path: PATH,
      exists: true,
      hub: 'http://127.0.0.1:4860',
      token: 'ph_abc',
      channel: 'acme/agents',
      run: { model: 'gpt-5.5', effort: 'high', sandbox: 'workspace-write', approvalPolicy: 'on-request', fast: true },
      machine: {},
      hubServer: {},
    });
  });

  it('reads the [machine] limits', () => {
    const source = ['[machine]', 'name = "laptop"', 'may_start = ["bob", "carol"]', 'max_sessions = 3', 'sandboxes = ["workspace-write"]', 'approval_policies = "on-request"', 'port_base = 42000'].join('\n');
    expect(parseConfig(PATH, source).machine).toEqual({ name: 'laptop', mayStart: ['bob', 'carol'], maxSessions: 3, sandboxes: ['workspace-write'], approvalPolicies: ['on-request'], portBase: 42000 });
  });

  it('reads [server] retain_event_payloads_days, the settings of `pilothouse hub` itself', () => {
    expect(parseConfig(PATH, '[server]\nretain_event_payloads_days = 90').hubServer).toEqual({ retainEventPayloadsDays: 90 });
    // Beside the address `run` uses: one file serves a runner and a hub.
    expect(parseConfig(PATH, 'hub = "http://127.0.0.1:4860"\n[server]\nretain_event_payloads_days = 30')).toMatchObject({ hub: 'http://127.0.0.1:4860', hubServer: { retainEventPayloadsDays: 30 } });
  });

  it.each([
    ['[server]\nretain_event_payloads_days = 0', `${PATH}, line 2: retain_event_payloads_days must be a whole number from 1 to 36500; fix: write it without quotes, e.g. retain_event_payloads_days = 90.`],
    ['[server]\nretain_event_payloads_days = 36501', `${PATH}, line 2: retain_event_payloads_days must be a whole number from 1 to 36500; fix: write it without quotes, e.g. retain_event_payloads_days = 90.`],
    ['[server]\nretain_event_payloads_days = "90"', `${PATH}, line 2: retain_event_payloads_days must be a whole number from 1 to 36500; fix: write it without quotes, e.g. retain_event_payloads_days = 90.`],
    ['[server]\nretain_event_payloads_days = -7', `${PATH}, line 2: retain_event_payloads_days must be a whole number from 1 to 36500; fix: write it without quotes, e.g. retain_event_payloads_days = 90.`],
    ['[server]\nretain_event_payloads_days = 1.5', `${PATH}, line 2: 1.5 is not a value this file understands; fix: quote text: "1.5".`],
    ['[server]\nretain_payloads = 90', `${PATH}, line 2: unknown key retain_payloads in [server]; fix: the keys in [server] are: retain_event_payloads_days.`],
    ['retain_event_payloads_days = 90', `${PATH}, line 1: unknown key retain_event_payloads_days at the top of the file; fix: move it under [server].`],
    ['effort = "high"', `${PATH}, line 1: unknown key effort at the top of the file; fix: move it under [run].`],
    ['[machine]\nmax_sessions = 0', `${PATH}, line 2: max_sessions must be a whole number from 1 to 64; fix: write it without quotes, e.g. max_sessions = 1.`],
    ['[machine]\nsandboxes = ["yolo"]', `${PATH}, line 2: sandboxes = "yolo" is not one of read-only, workspace-write, danger-full-access; fix: use one of them, e.g. sandboxes = "read-only".`],
    ['[machine]\nname = "my laptop"', `${PATH}, line 2: name = "my laptop" is not a machine name; fix: use 1–63 letters, digits, ".", "_" or "-", e.g. name = "laptop".`],
    ['[run]\nmodle = "x"', `${PATH}, line 2: unknown key modle in [run]; fix: the keys in [run] are: agent, model, effort, sandbox, approval_policy, fast, no_forward.`],
    ['[run]\nhub = "http://x"', `${PATH}, line 2: unknown key hub in [run]; fix: move it to the top of the file, above every [table].`],
    ['[runner]\nmodel = "x"', `${PATH}, line 2: unknown table [runner]; fix: the tables are: [run], [machine], [server]; keys at the top of the file: hub, token, channel.`],
    ['[run]\neffort = "hgh"', `${PATH}, line 2: effort = "hgh" is not one of none, minimal, low, medium, high, xhigh; fix: use one of them, e.g. effort = "none".`],
    ['hub = "127.0.0.1:4860"', `${PATH}, line 1: hub = "127.0.0.1:4860" is not an http(s) URL; fix: write the hub's address, e.g. hub = "http://127.0.0.1:4860".`],
    ['channel = "Acme"', `${PATH}, line 1: channel = "Acme" is not WORKSPACE/CHANNEL; fix: write it like channel = "acme/agents" (lower-case letters, digits, - and _).`],
    ['token = 12', `${PATH}, line 1: token must be a non-empty string; fix: quote it: token = "…".`],
    ['[run]\nagent = "cursor"', `${PATH}, line 2: agent = "cursor" is not one of codex, claude, gemini, acp; fix: use one of them, e.g. agent = "codex".`],
    ['[run]\nfast = "yes"', `${PATH}, line 2: fast must be true or false; fix: write fast = true (no quotes).`],
    ['hub = http://x', `${PATH}, line 1: http://x is not a value this file understands; fix: quote text: "http://x".`],
    ['[run]\nno_forward = [5432, 70000]', `${PATH}, line 2: no_forward holds 70000, not a TCP port number (1–65535); fix: list port numbers without quotes, e.g. no_forward = [5432, 6379].`],
    ['[run]\nno_forward = ["5432"]', `${PATH}, line 2: no_forward holds "5432", not a TCP port number (1–65535); fix: list port numbers without quotes, e.g. no_forward = [5432, 6379].`],
  ])('names the file, the line and the fix: %j', (source, message) => {
    expect(messageOf(source)).toBe(message);
  });

  it('reads [run] agent, which a --agent flag overrides', () => {
    expect(parseConfig(PATH, '[run]\nagent = "claude"').run).toEqual({ agent: 'claude' });
    expect(withConfig({ agent: 'gemini' as const }, parseConfig(PATH, '[run]\nagent = "claude"')).agent).toBe('gemini');
    expect(withConfig<ConfigurableFlags>({}, parseConfig(PATH, '[run]\nagent = "claude"')).agent).toBe('claude');
  });

  it('reads [run] no_forward as a list of ports (one port alone too)', () => {
    expect(parseConfig(PATH, '[run]\nno_forward = [5432, 6379, 5432]').run).toEqual({ noForward: [5432, 6379] });
    expect(parseConfig(PATH, '[run]\nno_forward = 5432').run).toEqual({ noForward: [5432] });
  });

  it('flags and environment variables win over the file; the file fills the gaps', () => {
    const config = parseConfig(PATH, 'hub = "http://hub"\ntoken = "ph_file"\nchannel = "acme/file"\n[run]\nmodel = "m-file"\nsandbox = "read-only"');
    expect(withConfig({ hub: 'http://flag', token: undefined, channel: undefined, model: 'm-flag', effort: undefined, fast: false, allow: ['bob'] }, config)).toEqual({
      hub: 'http://flag',
      token: 'ph_file',
      channel: 'acme/file',
      model: 'm-flag',
      effort: undefined,
      sandbox: 'read-only',
      approvalPolicy: undefined,
      fast: false,
      allow: ['bob'],
    });
  });
});

describe('loadConfig', () => {
  let home: string | undefined;
  afterEach(() => home && rmSync(home, { recursive: true, force: true }));

  it('reads $PILOTHOUSE_HOME/config.toml; a missing file is an empty config', () => {
    home = mkdtempSync(join(tmpdir(), 'ph-config-'));
    expect(loadConfig(home)).toEqual({ path: join(home, 'config.toml'), exists: false, run: {}, machine: {}, hubServer: {} });
    writeFileSync(join(home, 'config.toml'), 'channel = "acme/agents"\n');
    expect(loadConfig(home)).toMatchObject({ exists: true, channel: 'acme/agents' });
  });

  it('says so when the file cannot be read', () => {
    home = mkdtempSync(join(tmpdir(), 'ph-config-'));
    mkdirSync(join(home, 'config.toml'));
    expect(() => loadConfig(home!)).toThrow(new RegExp(`^${join(home, 'config.toml')}: cannot be read \\(EISDIR\\); fix: make it readable`));
  });
});
