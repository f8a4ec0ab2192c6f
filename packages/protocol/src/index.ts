// @pilothouse/protocol: the wire contract and the rules shared by hub, runner and web. No I/O: the
// Node-only stream helpers are the `@pilothouse/protocol/node` entry (node/index.ts).
export * from './errors.js';
export * from './frame.js';
export * from './names.js';
export * from './refs.js';
export * from './model.js';
export * from './row-meta.js';
export * from './events.js';
export * from './pushes.js';
export * from './previews.js';
export * from './steering.js';
export * from './sessions.js';
export * from './presence.js';
export * from './redact.js';
export * from './never.js';
export * from './seq-gate.js';
export * from './notifications.js';
export * from './machines.js';
