// The end of every exhaustive switch (hub, runner, web): a new case is a compile error, and a bad
// value at run time (a peer on a newer protocol) fails loudly instead of being ignored.

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}
