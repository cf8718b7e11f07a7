/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // The library's sources, as the type checker reads them (tsconfig.json paths): no build needed first.
  moduleNameMapper: {
    '^@perfwatch/node$': '<rootDir>/library/src/index.ts',
    '^@perfwatch/node/internal$': '<rootDir>/library/src/internal.ts',
  },
  // Integration tests share one PostgreSQL/MariaDB/Redis and start real binaries; two cores cannot run many at once.
  maxWorkers: 2,
  testTimeout: 30000,
};
