// @ts-check
// Lint: TypeScript rules, Astro components, and the one-way layout of DESIGN.md:
//   model/ (no DOM, no D3, no Observable) ← engine/ ← notebooks/ ← site/
//   components/ (pure charts, no tfjs) are used by notebooks/ and site/
//   train/ sits beside model/; bench/ and cli/ use the product; nothing imports test/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import astro from 'eslint-plugin-astro';
import globals from 'globals';

/** The folders a file may not import, each as a no-restricted-imports pattern group. */
const noImport = (/** @type {string} */ from, /** @type {string[]} */ dirs) =>
  dirs.map((d) => ({
    group: [`**/${d}/*`, `**/${d}`],
    message: `imports flow model ← engine ← notebooks ← site (components beside them, train beside model, bench/cli on top, test on nothing); ${from}/ may not import ${d}/`,
  }));

/** @returns {import('eslint').Linter.Config} */
const restrict = (/** @type {string[]} */ files, /** @type {object[]} */ patterns) => ({
  files,
  rules: { 'no-restricted-imports': /** @type {import('eslint').Linter.RuleEntry} */ (['error', { patterns }]) },
});

const noTfjs = (/** @type {string} */ from) => ({ group: ['@tensorflow/*'], message: `${from}/ never touches tfjs: the engine does` });

export default tseslint.config(
  { ignores: ['.tmp/**', 'dist/**', '.astro/**', 'node_modules/**', 'public/**', 'bench/out/**', 'test/output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...astro.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['model/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'd3', message: 'model/ has no DOM or D3' }],
        patterns: [
          { group: ['d3-*', '@observablehq/*', 'katex'], message: 'model/ has no DOM, D3, KaTeX or Observable runtime' },
          ...noImport('model', ['components', 'engine', 'notebooks', 'site', 'train', 'bench', 'cli', 'test']),
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'document', message: 'model/ has no DOM' },
        { name: 'window', message: 'model/ has no DOM: use globalThis' }],
    },
  },
  restrict(['train/**/*.ts'], noImport('train', ['components', 'engine', 'notebooks', 'site', 'bench', 'cli', 'test'])),
  {
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'd3', message: 'engine/ has no DOM or D3' }],
        patterns: [
          { group: ['d3-*', '@observablehq/*', 'katex'], message: 'engine/ has no DOM, D3, KaTeX or Observable runtime' },
          // Strings are the one thing of components/ the engine uses (components/i18n: pure data).
          { group: ['**/components/*', '!**/components/i18n', '**/components/i18n/*', '!**/components/i18n/index.ts'], message: 'engine/ may use components/i18n/index.ts for its strings, no charts' },
          ...noImport('engine', ['notebooks', 'site', 'bench', 'cli', 'test']),
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'document', message: 'engine/ has no DOM' },
        { name: 'window', message: 'engine/ has no DOM: use globalThis' }],
    },
  },
  restrict(['components/**/*.ts'], [
    { group: ['@tensorflow/*'], message: 'components/ are pure charts: no tfjs' },
    ...noImport('components', ['engine', 'notebooks', 'site', 'train', 'bench', 'cli', 'test']),
    { group: ['**/model/*'], allowTypeImports: true, message: 'components/ may import types from model/, not code' },
  ]),
  restrict(['notebooks/**/*.ts'], [noTfjs('notebooks'), ...noImport('notebooks', ['site', 'train', 'bench', 'cli', 'test'])]),
  restrict(['site/**/*.ts', 'site/**/*.astro'], [noTfjs('site'), ...noImport('site', ['train', 'cli', 'test'])]),
  restrict(['cli/**/*.ts'], noImport('cli', ['components', 'notebooks', 'site', 'bench', 'test'])),
  restrict(['bench/**/*.ts'], noImport('bench', ['site', 'cli', 'test'])),
  restrict(['scripts/**/*.{js,mjs}'], noImport('scripts', ['test'])),
);
