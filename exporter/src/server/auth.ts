import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Scope } from '../config/schema';
import { ApiError, sendError } from '../kit/errors';
import type { Authorizer, Principal } from '../kit/module';

export interface TokenEntry {
  name: string;
  token: string;
  scopes: Scope[];
}

/** `write` implies `read`: an operator who may change incidents may also see them. */
function expand(scopes: Scope[]): Set<Scope> {
  const s = new Set(scopes);
  if (s.has('write')) s.add('read');
  return s;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer-token authentication with scopes. Tokens are kept only as SHA-256 digests and compared in
 * constant time; a token's name, never the token, is what gets logged.
 */
export class TokenAuth implements Authorizer {
  private readonly entries: Array<{ name: string; digest: Buffer; scopes: Set<Scope> }>;

  constructor(tokens: TokenEntry[]) {
    // The same token may be listed more than once (file + env); its scopes add up.
    const byDigest = new Map<string, { name: string; digest: Buffer; scopes: Set<Scope> }>();
    for (const t of tokens) {
      const d = digest(t.token);
      const key = d.toString('hex');
      const prev = byDigest.get(key);
      if (prev) for (const s of expand(t.scopes)) prev.scopes.add(s);
      else byDigest.set(key, { name: t.name, digest: d, scopes: expand(t.scopes) });
    }
    this.entries = [...byDigest.values()];
  }

  get configured(): boolean {
    return this.entries.length > 0;
  }

  authenticate(header: string | undefined): Principal | undefined {
    if (!header) return undefined;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m) return undefined;
    const d = digest(m[1]);
    let found: Principal | undefined;
    // No early exit: the time taken does not depend on which entry matched.
    for (const e of this.entries)
      if (timingSafeEqual(e.digest, d)) found = { name: e.name, scopes: e.scopes };
    return found;
  }

  /** Answers 401 with a bearer challenge (naming the scope when the route is known). */
  challenge(res: Response, scope?: Scope): void {
    res.setHeader('WWW-Authenticate', `Bearer realm="perfwatch"${scope ? `, scope="${scope}"` : ''}`);
    const message = this.configured
      ? 'missing or unknown bearer token: send "Authorization: Bearer <token>"'
      : 'no API tokens are configured: set PERFWATCH_TOKEN_READ (and _WRITE, _INGEST, _ALERTMANAGER) or tokens: in perfwatch.yml';
    sendError(res, new ApiError(401, 'unauthorized', message));
  }

  /** Express middleware: 401 without a valid token, 403 when the token lacks the scope. */
  require(scope: Scope) {
    return (req: Request, res: Response, next: NextFunction): void => {
      // The service authenticates every /api/v1 request before its body is read; reuse that.
      const principal =
        (res.locals.authenticated as Principal | undefined) ?? this.authenticate(req.headers.authorization);
      if (!principal) return this.challenge(res, scope);
      if (!principal.scopes.has(scope))
        return sendError(
          res,
          new ApiError(
            403,
            'forbidden',
            `token "${principal.name}" lacks the "${scope}" scope this endpoint requires`,
          ),
        );
      res.locals.principal = principal;
      next();
    };
  }
}
