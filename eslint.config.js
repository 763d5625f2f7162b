// @ts-check
// Lint: TypeScript rules plus the one-way layout of DESIGN.md:
//   model/ (no DOM, no D3, no Observable) ← components/ (no tfjs) ← notebooks/ ← site/
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const noUpward = (/** @type {string[]} */ dirs) =>
  dirs.map((d) => ({ group: [`**/${d}/*`, `**/${d}`], message: `imports flow model ← components ← notebooks ← site; this folder may not import ${d}/` }));

export default tseslint.config(
  { ignores: ['.tmp/**', 'dist/**', '.astro/**', 'node_modules/**', 'public/**', 'bench/out/**', 'test/output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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
          ...noUpward(['components', 'notebooks', 'site']),
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'document', message: 'model/ has no DOM' },
        { name: 'window', message: 'model/ has no DOM: use globalThis' }],
    },
  },
  {
    files: ['components/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@tensorflow/*'], message: 'components/ are pure charts: no tfjs' },
          ...noUpward(['notebooks', 'site']),
          { group: ['**/model/*'], allowTypeImports: true, message: 'components/ may import types from model/, not code' },
        ],
      }],
    },
  },
  {
    files: ['notebooks/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: noUpward(['site']) }] },
  },
);
