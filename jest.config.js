// @swc/jest strips types only; `tsc` (npm run build) is the one type check.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  testTimeout: 120000,
  // Most suites wait on real tools (control planes, helm, opa, containerd): with jest's default of
  // one worker on 2 cores the machine idles half the time; four keep both cores busy.
  maxWorkers: 4,
  setupFiles: ['<rootDir>/test/support/go-gc.js'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
