// A running ACP agent process: spawned from its launch spec with piped stdio, the JSON-RPC
// connection over it (rpc.ts), the `initialize` handshake, and an orderly close. When the process
// ends, every pending request is rejected at once: nothing waits on a dead agent.

import type { InitializeRequest } from '@agentclientprotocol/sdk';
import { settlesWithin, spawnChild, type ChildExit } from '../agent/child.js';
import { AcpError } from './errors.js';
import { AcpConnection, type AcpHandlers } from './rpc.js';
import { initializeResult, type InitializeResult } from './schema.js';
import { RUNNER_VERSION } from '../version.js';

/** How to start an ACP agent: the executable, its arguments and its whole environment. */
export interface AcpLaunch {
  readonly bin: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** What messages call it, e.g. `Gemini CLI`. */
  readonly title: string;
  /** How a person signs it in, for the refusal of an agent that needs it (ACP error -32000). */
  readonly signIn?: string;
}

export interface AcpAgent {
  readonly info: InitializeResult;
  readonly pid: number | null;
  readonly rpc: AcpConnection;
  /** Settles when the process is gone; `expected` when it followed `close()`. */
  readonly exited: Promise<ChildExit & { readonly expected: boolean }>;
  close(timeoutMs?: number): Promise<void>;
}

/** What the client can do for the agent: nothing beyond the protocol's baseline (no files, no terminals). */
const INITIALIZE: InitializeRequest = {
  protocolVersion: 1,
  clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false },
  clientInfo: { name: 'pilothouse', title: 'Pilothouse runner', version: RUNNER_VERSION },
};

export async function startAcpAgent(launch: AcpLaunch, cwd: string, handlers: AcpHandlers): Promise<AcpAgent> {
  const child = spawnChild(launch.bin, launch.args, { cwd, env: launch.env });
  const rpc = new AcpConnection(child.process.stdout, child.process.stdin, handlers);
  let closing = false;
  const exited = child.exited.then((exit) => {
    rpc.fail(closing ? new AcpError('acp_closed', `the connection to ${launch.title} was closed`) : exitError(launch.title, exit));
    return { ...exit, expected: closing };
  });
  const close = async (timeoutMs = 3_000): Promise<void> => {
    closing = true;
    // ACP agents end when their stdin closes; one that lingers is stopped.
    child.process.stdin.end();
    if (await settlesWithin(exited, timeoutMs)) return;
    child.process.kill('SIGTERM');
    if (await settlesWithin(exited, 1_000)) return;
    child.process.kill('SIGKILL');
    await exited;
  };
  try {
    const parsed = initializeResult.safeParse(await rpc.request('initialize', INITIALIZE));
    if (!parsed.success) throw new AcpError('acp_protocol_error', `${launch.title} answered initialize with something that is not ACP: ${parsed.error.message.slice(0, 300)}`);
    if (parsed.data.protocolVersion !== 1) throw new AcpError('acp_protocol_error', `${launch.title} speaks ACP version ${parsed.data.protocolVersion}; Pilothouse speaks version 1.`);
    return { info: parsed.data, pid: child.process.pid ?? null, rpc, exited, close };
  } catch (error) {
    await close(500);
    throw error;
  }
}

function exitError(title: string, exit: ChildExit): AcpError {
  if (exit.spawnError) return new AcpError('acp_missing', `${title} could not start: ${exit.spawnError.message}`, exit, { cause: exit.spawnError });
  const how = exit.signal ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
  const stderr = exit.stderrTail ? `; stderr: ${exit.stderrTail.slice(-1000)}` : '';
  return new AcpError('acp_exited', `${title} exited (${how})${stderr}`, exit);
}
