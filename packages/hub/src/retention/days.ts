// How long the hub keeps event payloads (issue 17): whole days, 1 to 36,500 (a hundred years).
// No setting keeps them forever. Light on purpose: the CLI checks a flag or config value with it
// before it loads the hub.

export const MAX_RETAIN_DAYS = 36_500;

/** A retention the hub accepts: a whole number of days from 1 to MAX_RETAIN_DAYS. */
export const isRetainDays = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_RETAIN_DAYS;
