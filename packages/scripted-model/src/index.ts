// @pilothouse/scripted-model: a local, scriptable fake of the OpenAI Responses, Anthropic Messages and Gemini APIs (SSE).
export { startScriptedModel, type ScriptedModel, type ScriptedModelOptions } from './server.js';
export { replySchema, outputItemSchema, type Reply, type OutputItem } from './reply.js';
export { loadScenario, parseScenario, scenarioPath, scenarioSchema, type Scenario } from './scenario.js';
export type { RecordedRequest } from './request-log.js';
export { AGENTS_SCRIPT_PATH, cueResponder, cueScriptSchema, DEMO_SCRIPT_PATH, loadCueScript, parseCueScript, type Cue, type CueScript, type TurnInput } from './cues.js';
