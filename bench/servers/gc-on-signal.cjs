// Preloaded into a service under a soak (`node --expose-gc -r …`): on SIGUSR2 it runs a full GC and
// writes the heap still in use to stderr as one JSON line, so the soak reads the live heap itself
// rather than whatever the collector had not reclaimed yet at a /metrics scrape.
'use strict';
const v8 = require('node:v8');

process.on('SIGUSR2', () => {
  globalThis.gc?.();
  process.stderr.write(`${JSON.stringify({ liveHeapBytes: v8.getHeapStatistics().used_heap_size })}\n`);
});
