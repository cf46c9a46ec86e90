/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking runs once as its own step (`tsc --noEmit`); per-file checking of aws-cdk-lib is slow.
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }],
  },
  transformIgnorePatterns: ['/node_modules/(?!aws-local-stepfunctions)'],
  setupFiles: ['<rootDir>/test/setup.ts'],
};
