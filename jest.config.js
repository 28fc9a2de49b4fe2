/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/packages/crm-sandbox/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking runs once in `npm run typecheck`; here files are only transpiled.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // Tests run the sandbox package from its sources, so a change to it needs no build first.
  moduleNameMapper: {
    '^@baton/crm-sandbox$': '<rootDir>/packages/crm-sandbox/src/index.ts',
    '^@baton/crm-sandbox/testing$': '<rootDir>/packages/crm-sandbox/src/testing.ts',
  },
  setupFiles: ['<rootDir>/test/helpers/setup.ts'],
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.js'],
};
