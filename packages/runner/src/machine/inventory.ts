// What the machine offers, as the daemon reports it: the agents installed here (found where
// `pilothouse run` finds them) and the trusted folders (git or not, on which branch).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MACHINE_AGENTS, type MachineAgent, type MachineFolder } from '@pilothouse/protocol';
import type { TrustStore } from '../local/trust.js';
import { locateAgent } from '../agent/drivers.js';
import type { AgentBinary } from '../agent/driver.js';
import { gitInfo } from './git.js';

/** The agents found on this machine, with their binaries. */
export async function installedAgents(env: NodeJS.ProcessEnv): Promise<Map<MachineAgent, AgentBinary>> {
  const found = await Promise.all(
    MACHINE_AGENTS.map(async (name) => {
      try {
        return [name, await locateAgent({ name }, env)] as const;
      } catch {
        return null;
      }
    }),
  );
  return new Map(found.filter((a) => a !== null));
}

/** The trusted folders as the web offers them; the worktrees the daemon made (under `home`) are not offered. */
export async function describeFolders(trust: TrustStore, home: string): Promise<MachineFolder[]> {
  const worktrees = join(home, 'worktrees');
  const list = trust.list().filter((f) => f !== worktrees && !f.startsWith(`${worktrees}/`) && existsSync(f));
  return Promise.all(
    list.slice(0, 256).map(async (path) => {
      const git = await gitInfo(path).catch(() => ({ git: false, branch: null }));
      return { path, git: git.git, branch: git.branch };
    }),
  );
}
