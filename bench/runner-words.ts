// Deterministic model-like text for the runner figures: token-sized chunks of pseudo-random words.

/** Token-like chunks: words of 1-5 letters, spaces, a newline now and then, an accented letter rarely. */
export function chunks(n: number, seed = 2463534242): string[] {
  let x = seed;
  const rand = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const letters = 'etaoinshrdlucmfwypvbgkqjxz';
  return Array.from({ length: n }, (_, i) => {
    let w = '';
    const len = 1 + Math.floor(rand() * 5);
    for (let k = 0; k < len; k++) w += rand() < 0.003 ? 'é' : letters[Math.floor(rand() * rand() * letters.length)]!;
    return (i % 97 === 96 ? '\n' : ' ') + w;
  });
}
