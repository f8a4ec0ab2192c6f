// @pilothouse/protocol/node: the few stream helpers hub and runner share that need Node's I/O, kept
// out of the main entry (which the browser loads too and has no I/O).
export * from './splice.js';
