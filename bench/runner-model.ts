// Child process: the scripted model server (@pilothouse/scripted-model), kept out of the runner's
// process so its CPU is not counted as the runner's. Prints `MODEL listening URL`; commands on
// stdin (runner-procs.ts): enqueue {replies}, stats.

import { startScriptedModel, type Reply } from '@pilothouse/scripted-model';
import { serve } from './runner-procs.js';

const model = await startScriptedModel();
serve({
  enqueue: (args) => {
    model.enqueue(...(args as { replies: Reply[] }).replies);
    return { pending: model.pending() };
  },
  stats: () => {
    const cpu = process.cpuUsage();
    return { requests: model.requests.length, unscripted: model.requests.filter((r) => !r.scripted).length, pending: model.pending(), cpuMicros: cpu.user + cpu.system };
  },
});
const stop = () => {
  void model.close().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdout.write(`MODEL listening ${model.url}\n`);
