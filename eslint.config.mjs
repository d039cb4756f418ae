// Lint enforces the architecture:
// - services depend on shared libs only, and on each other only through libs/contracts (Nx tags);
// - a service's domain/ folder is pure: no framework, transport, storage or I/O imports.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const FORBIDDEN_IN_DOMAIN = [
  '@nestjs/*',
  'fastify',
  '@fastify/*',
  'kafkajs',
  'mongodb',
  '@kurrent/*',
  'undici',
  'pino',
  'node:fs',
  'node:fs/*',
  'fs',
  'node:net',
  'node:http',
  'node:sqlite',
  'node:child_process',
  '@crm/eventstore',
  '@crm/readstore',
  '@crm/bus',
  '@crm/platform',
  '**/infrastructure/**',
  '**/api/**',
  '**/application/**',
];

export default [
  { ignores: ['**/node_modules/**', 'dist/**', 'data/**', 'coverage/**', '.nx/**', '**/generated/**', '**/*.js', '**/*.mjs', '.brokers/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/no-namespace': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:building-block', 'type:contracts', 'type:testing'] },
            { sourceTag: 'type:building-block', onlyDependOnLibsWithTags: ['type:building-block', 'type:testing'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: [] },
          ],
        },
      ],
    },
  },
  {
    files: ['services/*/src/domain/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: [{ group: FORBIDDEN_IN_DOMAIN, message: 'domain/ is pure: deciders take commands and state and return events, without frameworks or I/O.' }] },
      ],
    },
  },
];
