// ESLint: typescript-eslint and eslint-plugin-svelte's recommended rules, and the
// house's layering as import zones (each folder says what it may import). A zone is
// a `no-restricted-imports` regex on the import string, so a new file is covered the
// moment it exists. `npm run lint` runs it; `npm test` runs it before the type check.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const OURS_ABOVE_SHARED = {
  regex: '(^|/)(src-main|src-renderer)/',
  message: 'src-shared is the bottom floor: it imports nothing of ours.',
};
const PLATFORM = {
  regex: '^(node:.*|electron|better-sqlite3|sharp|@tensorflow/.*|ws)$',
  message: 'src-shared is pure TypeScript, for the renderer and the preload too: no Node, Electron or native packages.',
};
const ELECTRON = {
  regex: '^electron$',
  message: 'Only src-main/electron/ knows Electron; services take paths, a db handle, a signal and onProgress.',
};
const SQLITE = {
  regex: '^better-sqlite3$',
  message: 'SQL lives in src-main/catalog/ only: add a repository method there.',
};
const ABOVE_SERVICES = {
  // The relative path climbs out of the service and into one of those folders.
  regex: '^(\\.\\./)+(api|app|cli|electron|web)/',
  message: 'Services sit below the API, CLI, Electron, web and app layers: take what you need as parameters.',
};
const MAIN_FROM_RENDERER = {
  regex: '(^|/)src-main/',
  message: 'The renderer imports only src-shared (the contract and wire types); it reaches main through the API.',
};
const NODE_FROM_RENDERER = { regex: '^node:', message: 'The renderer runs sandboxed in a browser: no Node modules.' };
const API_FROM_COMPONENTS = {
  regex: '(^|/)api/(api-client|electron-transport|web-transport)(\\.js)?$',
  message:
    'Components and views take $props and never talk to the API: state classes (*.svelte.ts) do. (`import type` is fine.)',
  allowTypeImports: true,
};

const zone = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const SERVICES = ['catalog', 'dataset', 'images', 'import', 'ml', 'projects', 'runs', 'splits', 'tasks', 'walls'].map(
  (dir) => `src-main/${dir}/**/*.ts`,
);

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'resources/**',
      '**/*.wasm.js',
      'src-main/ml/kernels/wasm/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_name` marks a value left out on purpose (destructuring it away, an unused parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'none',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    // A string with an escape (a placeholder's "\n") needs the mustache to mean it.
    rules: { 'svelte/no-useless-mustaches': ['error', { ignoreStringEscape: true }] },
    languageOptions: {
      globals: { ...globals.browser },
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] },
    },
  },
  { files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'], languageOptions: { globals: { ...globals.browser } } },
  {
    // State classes hold collections Svelte must not track: `$state.raw` sets replaced
    // whole on change (so one assignment re-renders once, not once per add), and private
    // page caches that would make every read a dependency. SvelteSet/SvelteMap are wrong there.
    files: ['src-renderer/src/state/**'],
    rules: { 'svelte/prefer-svelte-reactivity': 'off' },
  },

  // --- the zones -------------------------------------------------------------------
  { files: ['src-shared/**/*.ts'], rules: zone(OURS_ABOVE_SHARED, PLATFORM) },
  { files: ['src-main/**/*.ts'], ignores: ['src-main/electron/**'], rules: zone(ELECTRON) },
  {
    files: ['src-main/**/*.ts'],
    ignores: ['src-main/catalog/**', 'src-main/electron/**'],
    rules: zone(SQLITE, ELECTRON),
  },
  { files: SERVICES, ignores: ['src-main/catalog/**'], rules: zone(SQLITE, ELECTRON, ABOVE_SERVICES) },
  { files: SERVICES.filter((glob) => glob.startsWith('src-main/catalog/')), rules: zone(ELECTRON, ABOVE_SERVICES) },
  { files: ['src-renderer/**/*.ts', 'src-renderer/**/*.svelte'], rules: zone(MAIN_FROM_RENDERER, NODE_FROM_RENDERER) },
  {
    files: ['src-renderer/src/components/**', 'src-renderer/src/views/**'],
    rules: zone(MAIN_FROM_RENDERER, NODE_FROM_RENDERER, API_FROM_COMPONENTS),
  },
);
