import { lastValueFrom } from 'rxjs';
import { getBackendSrv, isFetchError } from '@grafana/runtime';

/**
 * One entry of Grafana's `GET /api/org/users/lookup` (pkg/api/dtos/user.go, UserLookupDTO: userId,
 * uid, login, avatarUrl). The lookup gives no name or email, so a user is shown and assigned by login.
 */
export interface OrgUser {
  userId: number;
  uid?: string;
  login: string;
  avatarUrl?: string;
}

/** How many users one lookup asks for (Grafana's own UserPicker asks for 100). */
export const USER_LOOKUP_LIMIT = 25;

/** Grafana refused to list its users, or could not: the message says which and what to do. */
export class UserLookupError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'UserLookupError';
  }
}

const isOrgUser = (v: unknown): v is OrgUser =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as OrgUser).userId === 'number' &&
  typeof (v as OrgUser).login === 'string' &&
  (v as OrgUser).login !== '';

/**
 * The users of the signed-in user's organization whose login, email or name contains `query`, the
 * way Grafana's own UserPicker (public/app/core/components/Select/UserPicker.tsx) searches them.
 * Grafana answers this only to users who may read org users (org admins) or, on Grafana OSS, who
 * administer some team, folder or dashboard (pkg/api/api.go, lookupEvaluator); everyone else gets
 * 403, which is reported as a UserLookupError so the caller can fall back to a typed login.
 */
export async function lookupOrgUsers(query: string, limit = USER_LOOKUP_LIMIT): Promise<OrgUser[]> {
  const params = new URLSearchParams({ query: query.slice(0, 100), limit: String(limit) });
  let data: unknown;
  try {
    const response = await lastValueFrom(
      getBackendSrv().fetch<unknown>({
        url: `/api/org/users/lookup?${params}`,
        method: 'GET',
        showErrorAlert: false,
      }),
    );
    data = response.data;
  } catch (e) {
    const status = isFetchError(e) ? (e.status ?? 0) : 0;
    const message = isFetchError(e) ? (e.data as { message?: string } | undefined)?.message : undefined;
    if (status === 403) {
      throw new UserLookupError(
        `Grafana lets only organization admins (and team, folder or dashboard admins) list its users${
          message ? ` (${message})` : ''
        }. Type the login instead.`,
        status,
      );
    }
    throw new UserLookupError(
      `Could not list Grafana's users: ${message ?? (e instanceof Error ? e.message : `HTTP ${status}`)}`,
      status,
    );
  }
  if (!Array.isArray(data)) {
    throw new UserLookupError("Could not list Grafana's users: the answer was not a list of users", 0);
  }
  return data.filter(isOrgUser).slice(0, limit);
}
