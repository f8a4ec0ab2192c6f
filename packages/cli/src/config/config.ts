// `$PILOTHOUSE_HOME/config.toml` (default ~/.pilothouse/config.toml): the hub, token and channel
// to use, defaults for `pilothouse run`, the machine's limits ([machine]) and settings of the hub
// itself ([server]). Order of precedence: a flag, then its environment variable, then this file, then
// the built-in default. A mistake names the file, the line and the fix.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_RETAIN_DAYS } from '@pilothouse/hub/options';
import { parseChannelRef } from '@pilothouse/protocol/lite';
import { AGENT_NAMES, APPROVAL_POLICIES, EFFORTS, SANDBOX_MODES, type AgentName, type ApprovalPolicy, type Effort, type SandboxMode } from '@pilothouse/runner/options';
import { UsageError } from '../errors.js';
import { parseToml, TomlError, type TomlEntry, type TomlValue } from './toml.js';

export interface RunDefaults {
  /** The agent `run` drives (`--agent`). */
  readonly agent?: AgentName;
  readonly model?: string;
  readonly effort?: Effort;
  readonly sandbox?: SandboxMode;
  readonly approvalPolicy?: ApprovalPolicy;
  readonly fast?: boolean;
  /** Ports never offered as previews (`--no-forward`). */
  readonly noForward?: readonly number[];
}

/** `[machine]`: what `pilothouse machine` offers and allows (docs/cli.md). */
export interface MachineDefaults {
  readonly name?: string;
  /** Who besides the owner may start sessions on this machine. */
  readonly mayStart?: readonly string[];
  readonly maxSessions?: number;
  readonly sandboxes?: readonly SandboxMode[];
  readonly approvalPolicies?: readonly ('on-request' | 'never' | 'untrusted')[];
  readonly portBase?: number;
}

/** `[server]`: settings of `pilothouse hub` itself (`[hub]` cannot be: TOML gives the name `hub` to the address clients use). */
export interface HubServerDefaults {
  /** Event payloads older than this many days are pruned (`--retain-event-payloads`). */
  readonly retainEventPayloadsDays?: number;
}

export interface PilothouseConfig {
  /** The file read, whether or not it exists. */
  readonly path: string;
  readonly exists: boolean;
  readonly hub?: string;
  readonly token?: string;
  readonly channel?: string;
  readonly run: RunDefaults;
  readonly machine: MachineDefaults;
  readonly hubServer: HubServerDefaults;
}

/** A config file that cannot be used: exits 2 like any other usage error, naming file, line and fix. */
export class ConfigError extends UsageError {
  constructor(
    readonly path: string,
    readonly line: number | null,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${path}${line !== null ? `, line ${line}` : ''}: ${problem}; fix: ${fix}.`);
  }
}

export const configPath = (home: string): string => join(home, 'config.toml');

const EXAMPLE = `hub = "http://127.0.0.1:4860"`;

type Setter = (
  value: TomlValue,
  fail: (problem: string, fix: string) => never,
) => Partial<Omit<PilothouseConfig, 'path' | 'exists' | 'run' | 'machine' | 'hubServer'>> | { run: RunDefaults } | { machine: MachineDefaults } | { hubServer: HubServerDefaults };

const listOf = <T extends string>(key: string, allowed: readonly T[]) => (value: TomlValue, fail: (problem: string, fix: string) => never): T[] => {
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return fail(`${key} is empty`, `list at least one, e.g. ${key} = ["${allowed[0]}"]`);
  return [...new Set(items.map((v) => oneOf(key, allowed)(v, fail)))];
};
const MACHINE_SANDBOXES = ['read-only', 'workspace-write', 'danger-full-access'] as const;
const MACHINE_POLICIES = ['on-request', 'never', 'untrusted'] as const;
const intIn = (key: string, min: number, max: number, example = min) => (value: TomlValue, fail: (problem: string, fix: string) => never): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) return fail(`${key} must be a whole number from ${min} to ${max}`, `write it without quotes, e.g. ${key} = ${example}`);
  return value;
};

const text = (key: string, value: TomlValue, fail: (problem: string, fix: string) => never): string => {
  if (typeof value !== 'string' || value === '') return fail(`${key} must be a non-empty string`, `quote it: ${key} = "…"`);
  return value;
};

const oneOf = <T extends string>(key: string, allowed: readonly T[]) => (value: TomlValue, fail: (problem: string, fix: string) => never): T => {
  const v = text(key, value, fail);
  if (!(allowed as readonly string[]).includes(v)) return fail(`${key} = "${v}" is not one of ${allowed.join(', ')}`, `use one of them, e.g. ${key} = "${allowed[0]}"`);
  return v as T;
};

/** Every key the file may hold, per table: the one place that says what the file means. */
const KEYS: Record<string, Record<string, Setter>> = {
  '': {
    hub: (value, fail) => {
      const v = text('hub', value, fail);
      if (!/^https?:\/\/[^\s/]+/.test(v)) fail(`hub = "${v}" is not an http(s) URL`, `write the hub's address, e.g. ${EXAMPLE}`);
      return { hub: v.replace(/\/+$/, '') };
    },
    token: (value, fail) => ({ token: text('token', value, fail) }),
    channel: (value, fail) => {
      const v = text('channel', value, fail);
      if (!parseChannelRef(v)) fail(`channel = "${v}" is not WORKSPACE/CHANNEL`, 'write it like channel = "acme/agents" (lower-case letters, digits, - and _)');
      return { channel: v };
    },
  },
  run: {
    agent: (value, fail) => ({ run: { agent: oneOf('agent', AGENT_NAMES)(value, fail) } }),
    model: (value, fail) => ({ run: { model: text('model', value, fail) } }),
    effort: (value, fail) => ({ run: { effort: oneOf('effort', EFFORTS)(value, fail) } }),
    sandbox: (value, fail) => ({ run: { sandbox: oneOf('sandbox', SANDBOX_MODES)(value, fail) } }),
    approval_policy: (value, fail) => ({ run: { approvalPolicy: oneOf('approval_policy', APPROVAL_POLICIES)(value, fail) } }),
    fast: (value, fail) => {
      if (typeof value !== 'boolean') return fail('fast must be true or false', 'write fast = true (no quotes)');
      return { run: { fast: value } };
    },
    no_forward: (value, fail) => {
      const ports = Array.isArray(value) ? value : [value];
      const bad = ports.find((p) => typeof p !== 'number' || !isPort(p));
      if (bad !== undefined) return fail(`no_forward holds ${JSON.stringify(bad)}, not a TCP port number (1–65535)`, 'list port numbers without quotes, e.g. no_forward = [5432, 6379]');
      return { run: { noForward: [...new Set(ports as number[])] } };
    },
  },
  machine: {
    name: (value, fail) => {
      const v = text('name', value, fail);
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(v)) fail(`name = "${v}" is not a machine name`, 'use 1–63 letters, digits, ".", "_" or "-", e.g. name = "laptop"');
      return { machine: { name: v } };
    },
    may_start: (value, fail) => {
      const names = (Array.isArray(value) ? value : [value]).map((v) => text('may_start', v, fail));
      return { machine: { mayStart: [...new Set(names)] } };
    },
    max_sessions: (value, fail) => ({ machine: { maxSessions: intIn('max_sessions', 1, 64)(value, fail) } }),
    sandboxes: (value, fail) => ({ machine: { sandboxes: listOf('sandboxes', MACHINE_SANDBOXES)(value, fail) } }),
    approval_policies: (value, fail) => ({ machine: { approvalPolicies: listOf('approval_policies', MACHINE_POLICIES)(value, fail) } }),
    port_base: (value, fail) => ({ machine: { portBase: intIn('port_base', 1024, 65000)(value, fail) } }),
  },
  server: {
    retain_event_payloads_days: (value, fail) => ({ hubServer: { retainEventPayloadsDays: intIn('retain_event_payloads_days', 1, MAX_RETAIN_DAYS, 90)(value, fail) } }),
  },
};

/** A TCP port number a listener can have: 1–65535. */
export const isPort = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535;

const TABLES = Object.keys(KEYS)
  .filter((t) => t !== '')
  .map((t) => `[${t}]`)
  .join(', ');

const where = (table: string) => (table === '' ? 'at the top of the file' : `in [${table}]`);

/** Reads the config from its text; pure apart from naming `path` in errors. */
export function parseConfig(path: string, source: string): PilothouseConfig {
  let entries: TomlEntry[];
  try {
    entries = parseToml(source);
  } catch (err) {
    if (err instanceof TomlError) throw new ConfigError(path, err.line, err.message, err.fix);
    throw err;
  }
  let config: PilothouseConfig = { path, exists: true, run: {}, machine: {}, hubServer: {} };
  for (const entry of entries) {
    const fail = (problem: string, fix: string): never => {
      throw new ConfigError(path, entry.line, problem, fix);
    };
    const table = KEYS[entry.table];
    if (!table) return fail(`unknown table [${entry.table}]`, `the tables are: ${TABLES}; keys ${where('')}: ${Object.keys(KEYS['']!).join(', ')}`);
    const set = table[entry.key];
    if (!set) {
      const known = Object.keys(table);
      const elsewhere = Object.entries(KEYS).find(([, keys]) => entry.key in keys)?.[0];
      return fail(
        `unknown key ${entry.key} ${where(entry.table)}`,
        elsewhere !== undefined ? (elsewhere === '' ? 'move it to the top of the file, above every [table]' : `move it under [${elsewhere}]`) : `the keys ${where(entry.table)} are: ${known.join(', ')}`,
      );
    }
    const change = set(entry.value, fail);
    config =
      'run' in change
        ? { ...config, run: { ...config.run, ...change.run } }
        : 'machine' in change
          ? { ...config, machine: { ...config.machine, ...change.machine } }
          : 'hubServer' in change
            ? { ...config, hubServer: { ...config.hubServer, ...change.hubServer } }
            : { ...config, ...change };
  }
  return config;
}

/** Loads `$PILOTHOUSE_HOME/config.toml`; a missing file is an empty config, a broken one a ConfigError. */
export function loadConfig(home: string): PilothouseConfig {
  const path = configPath(home);
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { path, exists: false, run: {}, machine: {}, hubServer: {} };
    throw new ConfigError(path, null, `cannot be read (${code ?? (err as Error).message})`, `make it readable (chmod 600 ${path}) or remove it`);
  }
  return parseConfig(path, source);
}

/** What `run` and `doctor` take from the file: whatever no flag or environment variable gave. */
export interface ConfigurableFlags {
  agent?: AgentName | undefined;
  hub?: string | undefined;
  token?: string | undefined;
  channel?: string | undefined;
  model?: string | undefined;
  effort?: Effort | undefined;
  sandbox?: SandboxMode | undefined;
  approvalPolicy?: ApprovalPolicy | undefined;
  fast?: boolean | undefined;
  noForward?: readonly number[] | undefined;
}

/** `flags` with their gaps filled from the config file (flags and environment variables win). */
export function withConfig<F extends ConfigurableFlags>(flags: F, config: PilothouseConfig): F {
  const { run } = config;
  return {
    ...flags,
    hub: flags.hub ?? config.hub,
    token: flags.token ?? config.token,
    channel: flags.channel ?? config.channel,
    agent: flags.agent ?? run.agent,
    model: flags.model ?? run.model,
    effort: flags.effort ?? run.effort,
    sandbox: flags.sandbox ?? run.sandbox,
    approvalPolicy: flags.approvalPolicy ?? run.approvalPolicy,
    // A switch: on when given, else as the file says.
    fast: flags.fast === true || run.fast === true,
    // A list of ports never offered: the flags' and the file's together.
    ...(flags.noForward !== undefined || run.noForward !== undefined ? { noForward: [...new Set([...(flags.noForward ?? []), ...(run.noForward ?? [])])] } : {}),
  };
}
