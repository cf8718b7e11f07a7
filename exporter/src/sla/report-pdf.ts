/**
 * The SLA report as a PDF, printed by a headless Chromium through playwright-core. Chosen over a PDF
 * library (pdfkit, pdf-lib) because the stack already has Debian's chromium for its browser tests, so the
 * report is laid out by HTML tables and CSS instead of hand-placed text at coordinates (pdf-lib has no
 * layout at all; pdfkit's is a few MB of fonts and a second layout to keep in step with the HTML one).
 * playwright-core is an optional dependency of the service: without it, or without a browser at the
 * configured path, the PDF is refused with an error that says what to install; every other format works.
 */
import { existsSync } from 'node:fs';

export class PdfUnavailableError extends Error {
  override name = 'PdfUnavailableError';
}

/** The flags the project runs Chromium with everywhere (no sandbox: root in CI; no network chatter). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

type Playwright = typeof import('playwright-core');

async function loadPlaywright(): Promise<Playwright> {
  try {
    return await import('playwright-core');
  } catch {
    throw new PdfUnavailableError(
      'the PDF report needs playwright-core, an optional dependency of @perfwatch/exporter: npm install playwright-core',
    );
  }
}

/** Prints `html` (self-contained: no scripts, no network) to an A4 landscape PDF. */
export async function htmlToPdf(html: string, chromiumPath: string): Promise<Buffer> {
  if (!existsSync(chromiumPath))
    throw new PdfUnavailableError(
      `the PDF report needs a Chromium browser and there is none at ${chromiumPath}: install Debian's chromium (apt-get install chromium) or set sla.report.chromiumPath`,
    );
  const { chromium } = await loadPlaywright();
  const browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    // The page has no business on the network: refuse every request it might make.
    await page.route('**/*', (route) => route.abort());
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({
      format: 'A4',
      landscape: true,
      printBackground: true,
      margin: { top: '12mm', bottom: '12mm', left: '10mm', right: '10mm' },
    });
  } finally {
    await browser.close();
  }
}

/**
 * One browser at a time per process, and at most `maxWaiting` requests queued behind it: a burst of
 * downloads must not start a Chromium each. Past the cap, `run` throws PdfBusyError.
 */
export class PdfQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly maxWaiting = 2) {}

  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.waiting >= this.maxWaiting) return Promise.reject(new PdfBusyError());
    this.waiting++;
    const result = this.tail.then(
      () => {
        this.waiting--;
        return job();
      },
      () => {
        this.waiting--;
        return job();
      },
    );
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export class PdfBusyError extends Error {
  override name = 'PdfBusyError';
  constructor() {
    super('a PDF report is already being printed and others are waiting; try again in a few seconds');
  }
}
