/** One CSV cell per RFC 4180: quoted when it holds a comma, quote or line break. */
function cell(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  const s = typeof value === 'string' ? value : String(value);
  // A leading =, +, - or @ makes spreadsheets evaluate the cell; SQL text and titles are not formulas.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}

/**
 * Saves text as a file through a temporary link. Grafana listens to every click on `document`
 * (public/app/core/navigation/patch/interceptLinkClicks.ts) and takes over any link without a
 * `target`, ignoring `download`: a blob: href would be opened as a page instead of saved. The
 * click therefore stops at the link and never reaches Grafana's listener.
 */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  downloadBlob(filename, new Blob([text], { type }));
}

/** Saves a blob as a file, past Grafana's link interception (see downloadText). */
export function downloadBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.addEventListener('click', (e) => e.stopPropagation());
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
