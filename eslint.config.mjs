import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import regexp from 'eslint-plugin-regexp';
import tseslint from 'typescript-eslint';

/**
 * Layers of the exporter (issue 15): core never imports features or the server; features reach the
 * service only through the kit, never server internals; adapters never import features. A file takes
 * the first layer whose pattern matches; an import between two layers needs a policy below. The entry
 * points (index.ts, cli.ts) and the leaf files beside them (logger.ts, version.ts) belong to no layer.
 */
const LAYERS = [
  { type: 'core', pattern: 'exporter/src/core/**', partialMatch: false },
  { type: 'adapter', pattern: 'exporter/src/instrument/**', partialMatch: false },
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
  { type: 'system', pattern: 'exporter/src/system/**', partialMatch: false },
  { type: 'feature', pattern: 'exporter/src/*/**', partialMatch: false },
];
/** Stack capture of a query's origin: part of the in-process query capture that adapters feed. */
const CAPTURE = [{ category: 'capture', pattern: 'exporter/src/queries/call-site.ts' }];

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
            layer(['kit'], ['kit', 'core', 'config', 'store']),
            layer(['contract'], ['contract', 'kit', 'core']),
            layer(['openapi'], ['openapi', 'contract', 'feature', 'server', 'kit', 'core', 'config']),
            layer(['store', 'system'], ['store', 'system', 'core']),
            layer(['upstream'], ['upstream', 'config', 'core']),
            // The config schema is assembled from each feature's own section.
            layer(['config'], ['config', 'core', 'feature']),
            layer(
              ['feature'],
              ['feature', 'kit', 'contract', 'upstream', 'core', 'config', 'store', 'system'],
            ),
            layer(
              ['server'],
              [
                'server',
                'kit',
                'contract',
                'openapi',
                'feature',
                'upstream',
                'adapter',
                'core',
                'config',
                'store',
                'system',
              ],
            ),
            layer(
              ['cli'],
              [
                'cli',
                'server',
                'openapi',
                'contract',
                'feature',
                'upstream',
                'core',
                'config',
                'store',
                'system',
              ],
            ),
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
