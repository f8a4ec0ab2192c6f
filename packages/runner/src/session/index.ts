// The session orchestrator's pure core, for the shell that drives it: build a state, feed it
// inputs with `step`, perform the effects in order, and tick at `nextDeadline`.
export { nextDeadline, step, type SessionInput, type StepResult } from './session.js';
export { createSession, DEFAULTS as SESSION_DEFAULTS, sessionConfig, type SessionConfig, type SessionOptions, type SessionState } from './state.js';
export { decisionLog, type Effect, type LogLevel, type RowEffect } from './effects.js';
export type { AllowedActor } from './actors.js';
export type { ThreadSnapshot } from './recovery.js';
export { previewApproved, type PreviewsConfig } from './previews/state.js';
