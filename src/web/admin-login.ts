// Who may sign in to the admin interface. Each authenticator answers for the names it knows; the first
// that recognises the person wins: the built-in administrator ("admin" and the admin password), then
// internal users granted admin rights (directly or through a group) with their own password. Users from
// a directory source will sign in through one more authenticator that asks their directory.
import type { AppContext } from "../context.js";
import { ADMIN_APPLICATION } from "../security/service.js";
import type { AdminIdentity } from "./sessions.js";

export interface AdminAuthenticator {
  /** The identity when the name and password are right; undefined otherwise (never throws for a bad password). */
  authenticate(username: string, password: string): Promise<AdminIdentity | undefined>;
}

export const BUILT_IN_ADMIN = ADMIN_APPLICATION;

export function builtInAdmin(app: AppContext): AdminAuthenticator {
  return {
    async authenticate(username, password) {
      if (username !== BUILT_IN_ADMIN) return undefined;
      return (await app.security.verifyAdminPassword(password)) ? { name: BUILT_IN_ADMIN, method: "admin-password" } : undefined;
    },
  };
}

/** Internal users holding admin access (api.addAdminAccessUser / addAdminAccessGroup), with their own password. */
export function grantedInternalUsers(app: AppContext): AdminAuthenticator {
  return {
    async authenticate(username, password) {
      if (username === BUILT_IN_ADMIN) return undefined;
      if (!(await app.users.verifyInternalUserPassword(username, password))) return undefined;
      return (await app.adminAccess.isAdmin(username)) ? { name: username, method: "user-password" } : undefined;
    },
  };
}

export async function authenticateAdmin(authenticators: readonly AdminAuthenticator[], username: string, password: string): Promise<AdminIdentity | undefined> {
  for (const a of authenticators) {
    const identity = await a.authenticate(username, password);
    if (identity) return identity;
  }
  return undefined;
}
