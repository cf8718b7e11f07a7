// A generator thread of bench/fuzz.mjs: answers { seed, n } with n requests from bench/fuzz-inputs.js,
// already turned into fetch URL and init, so the sending thread only sends.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const fc = require('fast-check');
const { requests, toFetch } = require('./fuzz-inputs.js');

parentPort.on('message', ({ seed, n }) => {
  const out = requests(fc, seed, n).map((r) => {
    const { url, init } = toFetch(workerData.base, workerData.tokens, r);
    return { method: r.method, path: r.path, url, init };
  });
  parentPort.postMessage({ seed, requests: out });
});
