// The demo's scratch repository: a tiny Node project the agent works on, with a README that tells
// the person what to type. The demo cue script (packages/scripted-model/scenarios/demo.json)
// runs `node test.js` and `node server.js` and patches greet.js: keep them in step (repo.test.ts).

import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Shown as the thread's first row, and the repository's README.md. */
export const DEMO_README = `# Pilothouse demo

This thread is a live session: a real Codex agent runs in a scratch git repository on this machine,
answered by a scripted model (no API key, nothing leaves the machine). Type one of these in the box
below and press Enter:

| type | and you see |
|---|---|
| \`hello\` | a streamed Markdown answer, with the model's reasoning |
| \`run the tests\` | a command that waits for your approval, then its coloured output |
| \`fix the greeting\` | a file change with its diff |
| \`search the web\` | a web search row |
| \`start the dev server\` | a dev server started in the background; Pilothouse notices its port and offers a preview |
| \`tell me a story\` | a long, slow answer: press **Interrupt** to stop it |

Anything else gets this list again. Stop the demo with Ctrl-C in its terminal: it removes everything
it started.
`;

const PACKAGE_JSON = `${JSON.stringify({ name: 'pilothouse-demo', private: true, type: 'module', scripts: { test: 'node test.js', dev: 'node server.js' } }, null, 2)}\n`;

const GREET_JS = `// The demo's one piece of code ("fix the greeting" changes it).
export function greet(name) {
  return 'hello ' + name;
}
`;

const TEST_JS = `// Three tests with coloured output ("run the tests" runs it).
import { greet } from './greet.js';

const paint = (code) => (text) => \`\\x1b[\${code}m\${text}\\x1b[0m\`;
const [green, red, cyan, dim, bold] = [paint(32), paint(31), paint(36), paint(2), paint(1)];

const tests = [
  ['greets by name', () => greet('Ada').includes('Ada')],
  ['says hello', () => /hello/i.test(greet('Ada'))],
  ['returns a string', () => typeof greet('Ada') === 'string'],
];

console.log(cyan(\`Running \${tests.length} tests\`));
let failed = 0;
for (const [name, test] of tests) {
  const started = performance.now();
  const ok = test();
  if (!ok) failed++;
  console.log(\`  \${ok ? green('✓') : red('✗')} \${name} \${dim(\`(\${(performance.now() - started).toFixed(2)} ms)\`)}\`);
}
console.log(failed === 0 ? bold(green(\`\${tests.length} passing\`)) : bold(red(\`\${failed} failing\`)));
process.exitCode = failed === 0 ? 0 : 1;
`;

const SERVER_JS = `// A tiny dev server ("start the dev server" runs it): any free port, or $PORT.
import { createServer } from 'node:http';
import { greet } from './greet.js';

const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(\`<!doctype html><meta charset="utf-8"><title>Pilothouse demo</title>
<h1>\${greet('from the demo dev server')}</h1>
<p>server.js in the demo repository, reached through a Pilothouse preview. You asked for \${req.url}</p>\`);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(\`Demo dev server listening on http://127.0.0.1:\${server.address().port}\`);
});
`;

export const DEMO_FILES: Readonly<Record<string, string>> = {
  'README.md': DEMO_README,
  'package.json': PACKAGE_JSON,
  'greet.js': GREET_JS,
  'test.js': TEST_JS,
  'server.js': SERVER_JS,
};

const git = (cwd: string, args: string[]) =>
  new Promise<void>((resolve, reject) => {
    // ExecFileException is not typed as an Error: keep its message and code (ENOENT: no git).
    execFile('git', args, { cwd, timeout: 15_000 }, (error) => (error ? reject(Object.assign(new Error(error.message), { code: error.code })) : resolve()));
  });

/**
 * Writes the demo files into `dir` and commits them, so file changes show up against a clean
 * tree. Without git it says why: Codex runs without it, just without git context.
 */
export async function createDemoRepo(dir: string): Promise<{ git: true } | { git: false; reason: string }> {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(DEMO_FILES)) writeFileSync(join(dir, name), text);
  try {
    await git(dir, ['init', '--quiet', '--initial-branch=main']);
    await git(dir, ['add', '.']);
    // An identity of its own: the user's git config may have none, or need a signing key.
    await git(dir, ['-c', 'user.name=Pilothouse demo', '-c', 'user.email=demo@pilothouse.invalid', '-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', 'Demo project']);
    return { git: true };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { git: false, reason: e.code === 'ENOENT' ? 'git is not installed' : e.message.split('\n')[0] ?? String(err) };
  }
}
