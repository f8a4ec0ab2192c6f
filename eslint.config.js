// Lint: typescript-eslint with type information; exhaustive switches on tagged unions are enforced.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Package boundaries: packages, bench/ and e2e/ import a package only through its entry points
// (package.json "exports"), and the one-way dependencies are checked per package below.
const throughEntryPoints = {
  group: ['@pilothouse/*/src', '@pilothouse/*/src/*', '@pilothouse/*/test', '@pilothouse/*/test/*', '../../*/src/*'],
  message: 'Import other packages through their entry point.',
};
const noRelativePackages = {
  regex: '^(\\.\\./)+packages/',
  message: 'bench/ and e2e/ import packages by name (@pilothouse/x, @pilothouse/x/testing), not by path.',
};
const noTestingInRuntime = { group: ['@pilothouse/*/testing'], message: 'Test support is for tests, not for runtime code.' };
const dependsOnNothing = (pkg) => ({ group: ['@pilothouse/*'], message: `${pkg} depends on no other package.` });
/**
 * no-restricted-imports: the entry-point rule, plus `packages` (names this code must not import, for `why`) and extra patterns.
 * @param {string[]} packages @param {string} why @param {object[]} patterns
 */
const restrictImports = (packages = [], why = '', patterns = []) => [
  'error',
  { paths: packages.map((name) => ({ name, message: why })), patterns: [throughEntryPoints, ...patterns] },
];
const runtime = (pkg) => ({ files: [`packages/${pkg}/src/**/*.{ts,tsx}`], ignores: ['**/*.test.ts', '**/*.test.tsx'] });

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/generated/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'packages/*/bin/*.js', 'packages/*/test/*.mjs'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/require-await': 'off',
      'no-empty': ['error', { allowEmptyCatch: false }],
      'no-restricted-imports': restrictImports(),
    },
  },
  {
    // The session core speaks only the agent vocabulary: adapters and the shell depend on it, never
    // the other way round (its tests may drive it through the Codex adapter).
    files: ['packages/runner/src/session/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@pilothouse/*/src/*', '../../*/src/*'], message: 'Import other packages through their entry point.' },
            { group: ['../codex/*', '../shell/*', '../hub/*'], message: 'The session core imports no agent, shell or hub module: use ../agent/vocabulary.js.' },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'e2e/**', 'bench/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['bench/**', 'e2e/**'], rules: { 'no-restricted-imports': restrictImports([], '', [noRelativePackages]) } },
  // One-way dependencies of the runtime code: protocol <- hub, runner, web; cli wires them together.
  { ...runtime('protocol'), rules: { 'no-restricted-imports': restrictImports([], '', [dependsOnNothing('protocol')]) } },
  { ...runtime('scripted-model'), rules: { 'no-restricted-imports': restrictImports([], '', [dependsOnNothing('scripted-model')]) } },
  {
    ...runtime('runner'),
    rules: {
      'no-restricted-imports': restrictImports(
        ['@pilothouse/hub', '@pilothouse/web', '@pilothouse/cli', '@pilothouse/scripted-model'],
        'The runner reaches the hub over the wire (@pilothouse/protocol); only its tests import the hub.',
        [noTestingInRuntime],
      ),
    },
  },
  {
    ...runtime('hub'),
    rules: {
      'no-restricted-imports': restrictImports(
        ['@pilothouse/runner', '@pilothouse/web', '@pilothouse/cli', '@pilothouse/scripted-model'],
        'The hub depends only on @pilothouse/protocol.',
        [noTestingInRuntime],
      ),
    },
  },
  {
    ...runtime('web'),
    rules: {
      'no-restricted-imports': restrictImports(
        ['@pilothouse/hub', '@pilothouse/runner', '@pilothouse/cli', '@pilothouse/scripted-model'],
        'The web UI depends only on @pilothouse/protocol.',
        [noTestingInRuntime],
      ),
    },
  },
  { ...runtime('cli'), rules: { 'no-restricted-imports': restrictImports([], '', [noTestingInRuntime]) } },
  {
    // `pilothouse --help` starts in milliseconds: what every start loads (the command tree, the
    // flags and their parsers, the config file) imports only light entry points; a command's
    // action loads the hub, the runner, the model, pino or zod with `await import(…)` when it runs.
    files: ['packages/cli/src/main.ts', 'packages/cli/src/program.ts', 'packages/cli/src/errors.ts', 'packages/cli/src/store-options.ts', 'packages/cli/src/commands/*.ts', 'packages/cli/src/config/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['@pilothouse/hub', '@pilothouse/runner', '@pilothouse/scripted-model', '@pilothouse/protocol', 'pino', 'zod'].map((name) => ({
            name,
            allowTypeImports: true,
            message: 'Loaded at every start: use the light entry (@pilothouse/protocol/lite, @pilothouse/hub/options, @pilothouse/runner/options) or `await import()` in the action.',
          })),
          patterns: [throughEntryPoints, noTestingInRuntime, { group: ['../logger.js', '../doctor/*', '../demo/start.js'], allowTypeImports: true, message: 'Heavy at start: `await import()` it in the action.' }],
        },
      ],
    },
  },
);
