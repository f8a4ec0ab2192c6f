// Where the runner keeps its own files: PILOTHOUSE_HOME, default ~/.pilothouse.

import { homedir } from 'node:os';
import { join } from 'node:path';

export const pilothouseHome = (env: NodeJS.ProcessEnv = process.env): string => env.PILOTHOUSE_HOME ?? join(homedir(), '.pilothouse');
