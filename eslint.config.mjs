// @ts-check
import js from '@eslint/js';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  // test/fixtures/lint holds deliberately bad files that test/unit/workflow-lint.test.ts lints.
  {
    ignores: [
      'dist/**',
      'packages/*/dist/**',
      'node_modules/**',
      '.baton/**',
      '.tools/**',
      'coverage/**',
      'test/fixtures/lint/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // The database is src/store's business: everything else uses its repositories, so SQL
    // and the knex API stay in one place (workflows have their own, stricter list below).
    files: ['**/*.ts'],
    ignores: ['src/store/**', 'workflows/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'knex', message: 'Only src/store uses knex; add a repository method there instead.' }],
          patterns: [
            { group: ['knex/*'], message: 'Only src/store uses knex; add a repository method there instead.' },
          ],
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node builtins, and
    // activities only as types (their code must never be bundled into a workflow).
    files: ['workflows/**/*.ts', 'test/fixtures/lint/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflows must be deterministic: no Node builtins (move this to an activity).',
          })),
          patterns: [
            {
              group: ['**/activities', '**/activities/*', '../activities/**'],
              allowTypeImports: true,
              message: 'Import activities as types only (proxyActivities<ReturnType<typeof createActivities>>).',
            },
            {
              group: ['**/src/**', '@hubspot/*', 'jsforce', 'knex', 'pg', 'better-sqlite3', 'fastify'],
              allowTypeImports: true,
              message: 'Workflows must not import I/O code; call an activity instead.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Formatting is Prettier's (`npm run format`); lint runs `prettier --check`.
  prettier,
);
