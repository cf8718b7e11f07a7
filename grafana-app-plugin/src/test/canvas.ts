/**
 * jsdom lays nothing out and draws nothing on a canvas (jest-setup's getContext answers undefined), but Grafana's Combobox
 * sizes its menu from option labels measured on one (@grafana/ui utils/measureText). Suites that render
 * a Combobox get a 2D context that measures text, about 7 px a character, and elements a 120 px box
 * (the Combobox's virtualized menu renders no option in a box of height 0; @tanstack/virtual-core 3.19
 * reads its scroll box from clientWidth/clientHeight), for their duration.
 */
export function measureTextOnCanvas() {
  const original = HTMLCanvasElement.prototype.getContext;
  const originalRect = Element.prototype.getBoundingClientRect;
  const offsetHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'offsetHeight');
  const offsetWidth = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'offsetWidth');
  const clientHeight = Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight');
  const clientWidth = Object.getOwnPropertyDescriptor(Element.prototype, 'clientWidth');
  const size = (name: 'offsetHeight' | 'offsetWidth') =>
    Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => 120 });
  const clientSize = (name: 'clientHeight' | 'clientWidth') =>
    Object.defineProperty(Element.prototype, name, { configurable: true, get: () => 120 });
  beforeAll(() => {
    size('offsetHeight');
    size('offsetWidth');
    clientSize('clientHeight');
    clientSize('clientWidth');
    Element.prototype.getBoundingClientRect = () =>
      ({ width: 120, height: 120, top: 0, left: 0, bottom: 120, right: 120, x: 0, y: 0 }) as DOMRect;
    const context = { font: '', measureText: (text: string) => ({ width: text.length * 7 }) };
    HTMLCanvasElement.prototype.getContext = (() => context) as unknown as typeof original;
  });
  afterAll(() => {
    Object.defineProperty(HTMLElement.prototype, 'offsetHeight', offsetHeight!);
    Object.defineProperty(HTMLElement.prototype, 'offsetWidth', offsetWidth!);
    Object.defineProperty(Element.prototype, 'clientHeight', clientHeight!);
    Object.defineProperty(Element.prototype, 'clientWidth', clientWidth!);
    Element.prototype.getBoundingClientRect = originalRect;
    HTMLCanvasElement.prototype.getContext = original;
  });
}
