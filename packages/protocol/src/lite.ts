// @pilothouse/protocol/lite: the part of the contract that loads no zod (typed errors, plain names,
// redaction), for code that must start in milliseconds: the CLI's command definitions and flag
// parsers. The same modules as the main entry's, so `instanceof PilothouseError` holds across both.
export * from './errors.js';
export * from './refs.js';
export * from './redact.js';
