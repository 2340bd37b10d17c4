// Who may sign in to the admin interface. Each authenticator answers for the names it knows; the first
// that recognises the person wins. Today only the built-in administrator exists ("admin" and the admin
// password); users and groups granted admin rights through the API plug in here as another authenticator.
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

export async function authenticateAdmin(authenticators: readonly AdminAuthenticator[], username: string, password: string): Promise<AdminIdentity | undefined> {
  for (const a of authenticators) {
    const identity = await a.authenticate(username, password);
    if (identity) return identity;
  }
  return undefined;
}
