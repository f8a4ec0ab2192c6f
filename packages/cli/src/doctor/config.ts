// The config file ($PILOTHOUSE_HOME/config.toml): optional; when present it must parse, and its
// hub and token are the ones the hub and token checks use unless a flag or variable says otherwise.

import { ConfigError, configPath, loadConfig, type PilothouseConfig } from '../config/config.js';
import { ok, fail, skip, type CheckResult } from './result.js';

export function checkConfig(home: string): { result: CheckResult; config: PilothouseConfig | null } {
  let config: PilothouseConfig;
  try {
    config = loadConfig(home);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { result: fail('config', `${err.path}${err.line !== null ? `, line ${err.line}` : ''}: ${err.problem}`, err.fix), config: null };
  }
  if (!config.exists) return { result: skip('config', `no ${configPath(home)} (optional)`), config };
  const set = [
    ...(['hub', 'token', 'channel'] as const).filter((k) => config[k] !== undefined),
    // As the file spells them (approvalPolicy is approval_policy, noForward no_forward).
    ...Object.keys(config.run).map((k) => `run.${k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`),
  ];
  return { result: ok('config', `${config.path} (${set.length > 0 ? set.join(', ') : 'empty'})`), config };
}
