// @grafana/runtime's setPluginPage is internal (not in its exports map); the harness bundler maps
// this name onto the module file, as Grafana itself calls it at start-up.
declare module 'grafana-runtime-plugin-page' {
  import type { PluginPageType } from '@grafana/runtime';
  export function setPluginPage(component: PluginPageType): void;
}
