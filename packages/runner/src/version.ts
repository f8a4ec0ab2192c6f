// The runner package's version, from its package.json (src/ and dist/ both sit one level below it):
// what the machine daemon reports to the hub and the client version agents are told.

import { readFileSync } from 'node:fs';

export const RUNNER_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
