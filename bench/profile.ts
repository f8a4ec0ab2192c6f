// Summarizes a V8 .cpuprofile (from `BENCH_PROFILE=<dir> npm run bench`, which runs the hub under
// --cpu-prof): self time by package/area, the top functions by self time, and the inclusive time
// of the hub's hot paths. Usage: node --import tsx bench/profile.ts <file.cpuprofile> [top]

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Areas by URL, first match wins; native frames (no URL) are named by their function. */
const AREAS: [string, RegExp][] = [
  ['kysely', /node_modules\/kysely\//],
  ['better-sqlite3 (js)', /node_modules\/better-sqlite3\//],
  ['pg', /node_modules\/pg/],
  ['ws', /node_modules\/ws\//],
  ['zod', /node_modules\/zod\//],
  ['pino', /node_modules\/pino/],
  ['fastify', /node_modules\/(fastify|@fastify|avvio|light-my-request|find-my-way)/],
  ['hub store', /packages\/hub\/src\/store\//],
  ['hub socket', /packages\/hub\/src\/socket\//],
  ['hub channels', /packages\/hub\/src\/channels\//],
  ['protocol', /packages\/protocol\/src\//],
  ['tsx/esbuild', /node_modules\/(tsx|esbuild)\//],
  ['node internals', /^node:/],
];

function areaOf(frame: ProfileNode['callFrame']): string {
  if (frame.url === '') return frame.functionName.startsWith('(') ? frame.functionName : `native ${frame.functionName || '(anonymous)'}`;
  for (const [name, re] of AREAS) if (re.test(frame.url)) return name;
  return 'other js';
}

const file = process.argv[2];
if (!file) throw new Error('usage: bench/profile.ts <file.cpuprofile> [top]');
const top = Number(process.argv[3] ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = profile.endTime - profile.startTime;
const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const pct = (us: number) => `${((us / totalUs) * 100).toFixed(1).padStart(5)}%`;

const areas = new Map<string, number>();
const fns = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  areas.set(areaOf(frame), (areas.get(areaOf(frame)) ?? 0) + us);
  const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(node_modules|packages)\//, '')}:${frame.lineNumber + 1}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
}
const print = (title: string, m: Map<string, number>, n: number) => {
  process.stdout.write(`${title}\n`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) process.stdout.write(`${ms(us)} ms ${pct(us)}  ${k}\n`);
};
process.stdout.write(`profile ${(totalUs / 1e6).toFixed(2)} s wall\n`);
print('self time by area', areas, 30);
print('self time by function', fns, top);

// Inclusive time under named functions (each sample counted once per function even if recursive).
const WATCH = [
  'commit',
  'drain',
  'appendRow',
  'ownedRow',
  'nextSeq',
  'insertEvent',
  'executeQuery',
  'compileQuery',
  'publish',
  'deliver',
  'sendText',
  'sendRaw',
  'encodeFrame',
  'send',
  'sendFrame',
  'readInbound',
  'decodeFrame',
  'handle',
  'safeParse',
  'stringify',
  'parse',
  'run',
  'all',
  'get',
  'processTicksAndRejections',
];
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const name = byId.get(cur)!.callFrame.functionName;
    if (WATCH.includes(name) && !seen.has(name)) {
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + us);
    }
  }
}
print('inclusive time of hot paths', inclusive, WATCH.length);
