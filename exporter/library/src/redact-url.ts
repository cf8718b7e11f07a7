/**
 * Masks the credentials of every URL in `text`, so a URL from the config, or one a driver put into
 * its error message, can be logged or shown: `//user:secret@host` → `//user:***@host`, and a lone
 * user, which is often a token (`//t0ken@host`), → `//***@host`. The one redactor for store,
 * health-check and upstream (Prometheus, Alertmanager) URLs. Greedy up to the last `@` before the
 * path, so an unencoded `@` in a password leaves nothing of it behind.
 */
export function redactUrl(text: string): string {
  return text.replace(/\/\/([^:@/\s]*)(:[^/\s]*)?@/g, (_m, user: string, password?: string) =>
    password === undefined ? '//***@' : `//${user}:***@`,
  );
}
