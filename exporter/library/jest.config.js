/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Integration tests share one PostgreSQL/MariaDB/Redis and start real binaries; two cores cannot run many at once.
  maxWorkers: 2,
  testTimeout: 30000,
};
