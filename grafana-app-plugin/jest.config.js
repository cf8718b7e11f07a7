// Dates in assertions are UTC wherever the tests run.
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

const swc = base.transform['^.+\\.(t|j)sx?$'];

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      rootDir: __dirname,
      // Node 20 fix: @grafana/data pulls d3-color, whose entry point is an ES module ending in .mjs.
      transform: { ...base.transform, '^.+\\.mjs$': swc },
    },
    {
      displayName: 'browser',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/browser/**/*.test.ts'],
      transform: { '^.+\\.ts$': swc },
    },
    {
      // @grafana/levitate against the oldest Grafana plugin.json allows (downloads from npm).
      displayName: 'compat',
      rootDir: __dirname,
      testEnvironment: 'node',
      testMatch: ['<rootDir>/tests/compat/**/*.test.ts'],
      transform: { '^.+\\.ts$': swc },
    },
  ],
};
