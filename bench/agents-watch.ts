// How the runner child (runner-agent.ts) tells the agent among the children the runner spawns, and
// what one of the agent's delta lines holds. Its own module with no imports: the runner child loads
// nothing else heavy, and the bench process must not load runner-agent.ts (it starts a runner).

/** Which spawned child is the agent, and what one of its delta lines contains. */
export interface AgentWatch {
  /** An argument of the agent's spawn (`app-server` for Codex, `--acp` for Gemini CLI). */
  arg: string;
  delta: string;
}

/** Codex, as the runner figures have always watched it: `codex app-server`, `item/agentMessage/delta` notifications. */
export const CODEX_WATCH: AgentWatch = { arg: 'app-server', delta: '"method":"item/agentMessage/delta"' };
