export interface Series {
  metric: Record<string, string>;
  values?: Array<[number, string]>;
  value?: [number, string];
}

async function api<T>(base: string, path: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success')
    throw new Error(`${path} ${JSON.stringify(params)}: ${body.error ?? res.status}`);
  return body.data;
}

export async function query(base: string, expr: string): Promise<Series[]> {
  return (await api<{ result: Series[] }>(base, '/api/v1/query', { query: expr })).result;
}

export async function queryRange(
  base: string,
  expr: string,
  start: number,
  end: number,
  step: number,
): Promise<Series[]> {
  return (
    await api<{ result: Series[] }>(base, '/api/v1/query_range', {
      query: expr,
      start: String(start / 1000),
      end: String(end / 1000),
      step: `${step}s`,
    })
  ).result;
}

export async function firingAlerts(
  base: string,
): Promise<Array<{ labels: Record<string, string>; state: string }>> {
  const res = await fetch(`${base}/api/v1/alerts`);
  const body = (await res.json()) as {
    data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
  };
  return body.data.alerts;
}

/** Polls until `probe` returns a value other than undefined. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${lastErr ? ` (${String(lastErr)})` : ''}`);
}
