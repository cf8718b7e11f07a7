// An AsyncLocalStorage context manager for the OpenTelemetry API, doing what
// @opentelemetry/context-async-hooks' AsyncLocalStorageContextManager does (NodeSDK registers that
// one). That package is not installed here, and without a context manager the express
// instrumentation cannot hand the matched route to the http instrumentation: the duration metric
// would carry no http_route label and OpenTelemetry would be measured doing less work than the others.
const { AsyncLocalStorage } = require('node:async_hooks');
const { EventEmitter } = require('node:events');
const { ROOT_CONTEXT } = require('@opentelemetry/api');

const ADD_METHODS = ['addListener', 'on', 'once', 'prependListener', 'prependOnceListener'];
const PATCHED = Symbol('otel-context.listeners');

class AsyncLocalStorageContextManager {
  #storage = new AsyncLocalStorage();
  #adding = false;

  active() {
    return this.#storage.getStore() ?? ROOT_CONTEXT;
  }

  with(context, fn, thisArg, ...args) {
    return this.#storage.run(context, thisArg == null ? fn : fn.bind(thisArg), ...args);
  }

  bind(context, target) {
    if (target instanceof EventEmitter) return this.#bindEmitter(context, target);
    if (typeof target === 'function') return this.#bindFunction(context, target);
    return target;
  }

  enable() {
    return this;
  }

  disable() {
    this.#storage.disable();
    return this;
  }

  #bindFunction(context, fn) {
    const storage = this.#storage;
    const bound = function (...args) {
      return storage.run(context, () => fn.apply(this, args));
    };
    Object.defineProperty(bound, 'length', { value: fn.length, configurable: true });
    return bound;
  }

  // Listeners added later run in `context`; removing the original listener removes the bound one.
  #bindEmitter(context, ee) {
    if (ee[PATCHED]) return ee;
    const byEvent = new Map();
    Object.defineProperty(ee, PATCHED, { value: byEvent });
    for (const name of ADD_METHODS) {
      const add = ee[name];
      if (typeof add !== 'function') continue;
      ee[name] = (event, listener) => {
        // `once` adds through `on`: wrap only at the outermost call.
        if (this.#adding) return add.call(ee, event, listener);
        let map = byEvent.get(event);
        if (!map) byEvent.set(event, (map = new WeakMap()));
        const bound = this.bind(context, listener);
        map.set(listener, bound);
        this.#adding = true;
        try {
          return add.call(ee, event, bound);
        } finally {
          this.#adding = false;
        }
      };
    }
    for (const name of ['removeListener', 'off']) {
      const remove = ee[name];
      if (typeof remove !== 'function') continue;
      ee[name] = (event, listener) => remove.call(ee, event, byEvent.get(event)?.get(listener) ?? listener);
    }
    const removeAll = ee.removeAllListeners;
    ee.removeAllListeners = function (...args) {
      if (args.length === 0) byEvent.clear();
      else byEvent.delete(args[0]);
      return removeAll.apply(ee, args);
    };
    return ee;
  }
}

module.exports = { AsyncLocalStorageContextManager };
