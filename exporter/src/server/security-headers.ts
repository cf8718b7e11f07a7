/**
 * Headers on every response, including the ones written before Express runs (client-errors.ts).
 * Written out rather than taken from helmet: the service serves JSON, metrics text and one static page,
 * so a fixed set that forbids sniffing, framing and any active content is all it needs.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
