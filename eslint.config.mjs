import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

/**
 * Layers of the service, @perfwatch/exporter (issue 15): features reach the service only through the
 * kit, never server internals. A file takes the first layer whose pattern matches; an import between
 * two layers needs a policy below. The entry points (index.ts, cli.ts) and the leaf files beside them
 * (logger.ts, version.ts) belong to no layer. The library's sources are a layer no service file may
 * import by path: the service uses the library only as a package (@perfwatch/node/internal), as an
 * installed service does.
 */
const LAYERS = [
  { type: 'kit', pattern: 'exporter/src/kit/**', partialMatch: false },
  // The operation type and the shared shapes every feature's api-schemas.ts states its routes with.
  { type: 'contract', pattern: 'exporter/src/contract/**', partialMatch: false },
  // Every operation of the service gathered into openapi.yaml: above the features and the server.
  { type: 'openapi', pattern: 'exporter/src/openapi/**', partialMatch: false },
  { type: 'server', pattern: 'exporter/src/server/**', partialMatch: false },
  { type: 'cli', pattern: 'exporter/src/cli/**', partialMatch: false },
  // One client for Prometheus and Alertmanager, below the features that query them.
  { type: 'upstream', pattern: 'exporter/src/upstream/**', partialMatch: false },
  { type: 'config', pattern: 'exporter/src/config/**', partialMatch: false },
  { type: 'store', pattern: 'exporter/src/store/**', partialMatch: false },
  { type: 'feature', pattern: 'exporter/src/*/**', partialMatch: false },
  { type: 'library', pattern: 'exporter/library/**', partialMatch: false },
];

/**
 * Layers of the library, @perfwatch/node: core never imports the rest; adapters import only core (and
 * the query capture they feed); the library never imports the service at all, whatever the file
 * (entry points and tests included), so every service file is one layer that nothing here may import.
 */
const LIBRARY_LAYERS = [
  { type: 'core', pattern: 'exporter/library/src/core/**', partialMatch: false },
  { type: 'adapter', pattern: 'exporter/library/src/instrument/**', partialMatch: false },
  { type: 'system', pattern: 'exporter/library/src/system/**', partialMatch: false },
  { type: 'library', pattern: 'exporter/library/src/**', partialMatch: false },
  { type: 'library-test', pattern: 'exporter/library/test/**', partialMatch: false },
  { type: 'service', pattern: 'exporter/**', partialMatch: false },
];
/** Stack capture of a query's origin: part of the in-process query capture that adapters feed. */
const CAPTURE = [{ category: 'capture', pattern: 'exporter/library/src/queries/call-site.ts' }];

/** A boundaries policy: files of the `from` layers may import files of the `to` layers (and capture). */
const layer = (from, to) => ({
  from: { element: { types: { anyOf: from } } },
  allow: [{ to: { element: { types: { anyOf: to } } } }, { to: { file: { categories: 'capture' } } }],
});

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      'data/**',
      '.tmp/**',
      // Owned by @grafana/create-plugin, kept as scaffolded.
      'grafana-app-plugin/.config/**',
      'grafana-app-plugin/tests/browser/.out/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        __dirname: 'readonly',
        require: 'readonly',
        module: 'writable',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Regex audit (issue 12): a regex that can backtrack super-linearly on crafted input is a denial of
    // service wherever it meets user input. The rules analyse every literal; a finding is fixed, or
    // disabled on that line with the reason the input is bounded or trusted.
    plugins: { regexp },
    rules: {
      'regexp/no-super-linear-backtracking': 'error',
      'regexp/no-super-linear-move': 'error',
      'regexp/no-misleading-capturing-group': 'error',
    },
  },
  {
    // The layer rule (LAYERS above); part of `npm run lint`.
    files: ['exporter/src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
      'boundaries/elements': LAYERS,
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            layer(['kit'], ['kit', 'config', 'store']),
            layer(['contract'], ['contract', 'kit']),
            layer(['openapi'], ['openapi', 'contract', 'feature', 'server', 'kit', 'config']),
            layer(['store'], ['store']),
            layer(['upstream'], ['upstream', 'config']),
            // The config schema is assembled from each feature's own section.
            layer(['config'], ['config', 'feature']),
            layer(['feature'], ['feature', 'kit', 'contract', 'upstream', 'config', 'store']),
            layer(
              ['server'],
              ['server', 'kit', 'contract', 'openapi', 'feature', 'upstream', 'config', 'store'],
            ),
            layer(
              ['cli'],
              ['cli', 'server', 'openapi', 'contract', 'feature', 'upstream', 'config', 'store'],
            ),
          ],
        },
      ],
    },
  },
  {
    // The library's layer rule (LIBRARY_LAYERS above); part of `npm run lint`.
    files: ['exporter/library/src/**/*.ts', 'exporter/library/test/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
      'boundaries/elements': LIBRARY_LAYERS,
      'boundaries/files': CAPTURE,
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [
            layer(['core'], ['core']),
            layer(['adapter'], ['adapter', 'core']),
            layer(['system'], ['system', 'core']),
            layer(['library'], ['library', 'core', 'adapter', 'system']),
            layer(['library-test'], ['library-test', 'library', 'core', 'adapter', 'system']),
          ],
        },
      ],
    },
  },
  {
    // CommonJS scripts (benchmark servers, jest configs) use require by definition.
    files: ['**/*.cjs', '**/*.js'],
    languageOptions: { globals: { exports: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
