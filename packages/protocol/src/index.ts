// @pilothouse/protocol: the wire contract shared by hub, runner and web. No I/O.
export * from './errors.js';
export * from './frame.js';
export * from './names.js';
export * from './model.js';
export * from './events.js';
export * from './pushes.js';
export * from './previews.js';
export * from './steering.js';
export * from './redact.js';
export * from './never.js';
export * from './seq-gate.js';
