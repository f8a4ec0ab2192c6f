import { describe, expect, it } from 'vitest';
import { MIN_METRICS_TOKEN_LENGTH, metricsTokenProblem } from './token.js';

describe('metricsTokenProblem', () => {
  it('refuses an empty token, one with white space around it, and one shorter than the minimum', () => {
    expect(['', ' ', 'a'.repeat(15), ` ${'a'.repeat(20)}`, `${'a'.repeat(20)}\n`, 'metrics-s3cret'].map(metricsTokenProblem)).toEqual([
      'is empty, which would let anyone scrape /metrics',
      'starts or ends with white space, which no Authorization header can carry',
      'has 15 characters, too few to resist guessing',
      'starts or ends with white space, which no Authorization header can carry',
      'starts or ends with white space, which no Authorization header can carry',
      'has 14 characters, too few to resist guessing',
    ]);
  });

  it('accepts a token of the minimum length or longer, white space inside included', () => {
    expect(MIN_METRICS_TOKEN_LENGTH).toBe(16);
    expect(['a'.repeat(16), 'f'.repeat(64), 'two words of a passphrase'].map(metricsTokenProblem)).toEqual([null, null, null]);
  });
});
