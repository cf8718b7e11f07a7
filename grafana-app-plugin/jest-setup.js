// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom lacks the observers some @grafana/ui components use to size themselves.
class NoopObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver = globalThis.ResizeObserver || NoopObserver;
globalThis.IntersectionObserver = globalThis.IntersectionObserver || NoopObserver;
