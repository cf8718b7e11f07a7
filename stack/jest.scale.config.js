/** `npm run test:scale`: the scale path (VictoriaMetrics, a Perfwatch fleet, cluster mode) on real binaries. */
const base = require('./jest.config');

module.exports = { ...base, roots: ['<rootDir>/test/scale'], testPathIgnorePatterns: [] };
