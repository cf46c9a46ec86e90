const os = require('node:os');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // At least two workers: jest's default, one fewer than the cores, is a single worker on two cores, and the
  // slowest suites spend much of their time waiting on child processes (`cdk synth`, `npm run simulate`).
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  // A whole simulated deployment takes well under a second alone, but several seconds on a busy machine with
  // two workers side by side: jest's default of 5 s per test failed runs that were only slow.
  testTimeout: 30_000,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking runs once as its own step (`tsc --noEmit`); per-file checking of aws-cdk-lib is slow.
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!aws-local-stepfunctions)'],
  setupFiles: ['<rootDir>/test/setup.ts'],
};
