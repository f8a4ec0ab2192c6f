// Agent versions as `MAJOR.MINOR.PATCH[-…]` strings: compared numerically, so a driver can refuse
// an agent older than the oldest it speaks the protocol of.

const parts = (version: string): number[] => (/^(\d+)\.(\d+)\.(\d+)/.exec(version) ?? []).slice(1, 4).map(Number);

/** Whether `version` is older than `minimum` (a version it cannot read counts as older). */
export function olderThan(version: string, minimum: string): boolean {
  const v = parts(version);
  const m = parts(minimum);
  if (v.length !== 3) return true;
  for (let i = 0; i < 3; i += 1) if (v[i] !== m[i]) return v[i]! < m[i]!;
  return false;
}
