// Preloaded into a service under a soak (`node --expose-gc -r …`): SIGUSR2 runs a full GC, so the
// soak can read the live heap rather than whatever the collector has not reclaimed yet.
'use strict';
process.on('SIGUSR2', () => globalThis.gc?.());
