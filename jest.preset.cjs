// Shared Jest settings: SWC transpiles TypeScript (type checking is the `typecheck` target),
// and the tsconfig path aliases map @recoup/* to library sources, so no build runs between projects.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace('/', '\\/')}$`] = path.join(__dirname, target);
}

/** @param {string} projectDir @param {string} name */
module.exports = function jestConfig(projectDir, name) {
  return {
    displayName: name,
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: [
      '<rootDir>/src/**/*.spec.ts',
      '<rootDir>/src/**/*.int-spec.ts',
      '<rootDir>/test/**/*.spec.ts',
      '<rootDir>/test/**/*.int-spec.ts',
    ],
    transform: {
      '^.+\\.(t|j)sx?$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript', tsx: true }, target: 'es2022', transform: { react: { runtime: 'automatic' } } },
          module: { type: 'commonjs' },
        },
      ],
    },
    moduleFileExtensions: ['ts', 'tsx', 'js', 'mjs', 'cjs', 'json'],
    moduleNameMapper,
    testTimeout: 30000,
    // Integration suites share one PostgreSQL server and one Redis: each file isolates itself
    // (own database cloned from a migrated template, own queue prefix), so two workers are safe.
    maxWorkers: 2,
  };
};
