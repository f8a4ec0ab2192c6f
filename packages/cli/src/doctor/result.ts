// What every doctor check returns, and how the results are printed.

export type CheckStatus = 'ok' | 'fail' | 'skip';

export type CheckResult =
  | { readonly status: 'ok'; readonly name: string; readonly detail: string }
  | { readonly status: 'fail'; readonly name: string; readonly detail: string; readonly fix: string }
  | { readonly status: 'skip'; readonly name: string; readonly detail: string };

export const ok = (name: string, detail: string): CheckResult => ({ status: 'ok', name, detail });
export const fail = (name: string, detail: string, fix: string): CheckResult => ({ status: 'fail', name, detail, fix });
export const skip = (name: string, detail: string): CheckResult => ({ status: 'skip', name, detail });

/** `ok   node: v20.20.2`, `fail token: … — fix: …`, `skip hub: …`. */
export function formatLine(r: CheckResult): string {
  switch (r.status) {
    case 'ok':
      return `ok   ${r.name}: ${r.detail}`;
    case 'skip':
      return `skip ${r.name}: ${r.detail}`;
    case 'fail':
      return `fail ${r.name}: ${r.detail} — fix: ${r.fix}`;
  }
}

export const formatJson = (r: CheckResult): string => JSON.stringify(r);

/** Every check passed (skipped ones count as not applicable, not as failures). */
export const allPassed = (results: readonly CheckResult[]): boolean => results.every((r) => r.status !== 'fail');
