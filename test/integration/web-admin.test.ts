// The admin interface over plain HTTP (no browser) and the services behind it, on both backends:
// the sign-in gate, CSRF refusal, the audit trail of API calls with secrets masked, dashboard figures
// and user search.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { postRaw } from "../support/rpc-client.js";
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from "../support/server.js";

function cookieOf(headers: Record<string, string | string[] | undefined>, name: string): string {
  const set = headers["set-cookie"];
  const list = Array.isArray(set) ? set : set ? [set] : [];
  const found = list.find((c) => c.startsWith(`${name}=`));
  assert.ok(found, `a ${name} cookie is set`);
  return found.split(";")[0];
}

for (const backend of BACKENDS) {
  describe(`admin web edge over HTTP (${backend})`, () => {
    let t: TestServer;
    let base: string;
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const formHeaders = (cookie: string) => ({ "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie });

    async function attemptSignIn(username: string, password: string) {
      const loginPage = await postRaw(`${base}/admin/login`, "", { method: "GET" });
      const loginCookie = cookieOf(loginPage.headers, "quire_login");
      const token = /name="_csrf" value="([^"]+)"/.exec(loginPage.body)?.[1] ?? "";
      return postRaw(`${base}/admin/login`, form({ _csrf: token, username, password }), { headers: formHeaders(loginCookie) });
    }

    async function signIn(): Promise<{ cookie: string; csrf: string }> {
      const res = await attemptSignIn("admin", TEST_ADMIN_PASSWORD);
      assert.equal(res.status, 303);
      const cookie = cookieOf(res.headers, "quire_admin");
      const dashboard = await postRaw(`${base}/admin`, "", { method: "GET", headers: { Cookie: cookie } });
      assert.equal(dashboard.status, 200);
      return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(dashboard.body)?.[1] ?? "" };
    }

    before(async () => {
      t = await startTestServer(backend);
      base = `http://127.0.0.1:${t.server.httpPort}`;
      await t.rpc.call("api.addNewInternalUser", "carol_1", "secret-pw", "Carol One", "carol@example.org", "", "4321");
      await t.rpc.call("api.addNewInternalUser", "carolx1", "secret-pw", "Carol X", "", "", "");
      await t.rpc.call("api.adjustUserAccountBalance", "carol_1", { double: -4.5 }, "print");
      await t.rpc.call("api.adjustUserAccountBalance", "carolx1", { double: 12 }, "top-up");
      await t.rpc.call("api.setUserProperty", "carolx1", "password", "another-secret");
    });
    after(async () => {
      await t?.close();
    });

    it("redirects every page to sign-in without a session, and refuses posts", async () => {
      for (const path of ["/admin", "/admin/users", "/admin/options/config", "/admin/logs/audit"]) {
        const res = await postRaw(`${base}${path}`, "", { method: "GET" });
        assert.equal(res.status, 303, path);
        assert.match(String(res.headers.location), /^\/admin\/login\?next=/);
      }
      const post = await postRaw(`${base}/admin/options/config`, form({ key: "x", value: "y" }), { headers: formHeaders("") });
      assert.equal(post.status, 403);
      assert.equal(await t.rpc.call("api.getConfigValue", "x"), "");
    });

    it("lets an internal user with granted admin access sign in with their own password, and nobody else", async () => {
      assert.equal((await attemptSignIn("carolx1", "another-secret")).status, 401, "no admin access yet");
      await t.rpc.call("api.addAdminAccessUser", "carolx1");
      const ok = await attemptSignIn("carolx1", "another-secret");
      assert.equal(ok.status, 303);
      const page = await postRaw(`${base}/admin/users`, "", { method: "GET", headers: { Cookie: cookieOf(ok.headers, "quire_admin") } });
      assert.equal(page.status, 200);
      assert.match(page.body, /<span>carolx1<\/span>/);
      await t.rpc.call("api.removeAdminAccessUser", "carolx1");
      const revoked = await postRaw(`${base}/admin/users`, "", { method: "GET", headers: { Cookie: cookieOf(ok.headers, "quire_admin") } });
      assert.equal(revoked.status, 303, "revoking the grant ends the session");
      // The failures above and below slow this address down; the throttle is per address and clears on success.
      assert.equal((await attemptSignIn("carolx1", "another-secret")).status, 401);
      assert.equal((await attemptSignIn("admin", TEST_ADMIN_PASSWORD)).status, 303);
    });

    it("sets session cookies HttpOnly and SameSite=Strict", async () => {
      const loginPage = await postRaw(`${base}/admin/login`, "", { method: "GET" });
      const set = String(loginPage.headers["set-cookie"]);
      assert.match(set, /HttpOnly/);
      assert.match(set, /SameSite=Strict/);
      assert.doesNotMatch(set, /Secure/, "plain HTTP cannot carry a Secure cookie");
      const https = await postRaw(`https://127.0.0.1:${t.server.httpsPort}/admin/login`, "", { method: "GET" });
      assert.match(String(https.headers["set-cookie"]), /Secure/);
    });

    it("refuses a post with a wrong or missing CSRF token, and accepts it with the right one", async () => {
      const { cookie, csrf } = await signIn();
      const missing = await postRaw(`${base}/admin/options/config`, form({ key: "custom.key", value: "1" }), { headers: formHeaders(cookie) });
      assert.equal(missing.status, 403);
      const wrong = await postRaw(`${base}/admin/options/config`, form({ _csrf: "x".repeat(43), key: "custom.key", value: "1" }), { headers: formHeaders(cookie) });
      assert.equal(wrong.status, 403);
      assert.equal(await t.rpc.call("api.getConfigValue", "custom.key"), "");
      const ok = await postRaw(`${base}/admin/options/config`, form({ _csrf: csrf, key: "custom.key", value: "1" }), { headers: formHeaders(cookie) });
      assert.equal(ok.status, 303);
      assert.equal(await t.rpc.call("api.getConfigValue", "custom.key"), "1");
    });

    it("audits state-changing API calls with the application name and address, secrets masked, reads not at all", async () => {
      const { rows } = await t.server.app.auditLog.list({ source: "api" }, 0, 100);
      const add = rows.find((r) => r.action === "api.addNewInternalUser" && r.target === "carol_1");
      assert.ok(add);
      assert.equal(add.actor, "tests");
      assert.equal(add.address, "127.0.0.1");
      assert.doesNotMatch(add.detail, /secret-pw|4321/);
      const prop = rows.find((r) => r.action === "api.setUserProperty");
      assert.ok(prop);
      assert.doesNotMatch(prop.detail, /another-secret/);
      assert.ok(!rows.some((r) => r.action.startsWith("api.get")));
      await t.rpc.call("api.setConfigValue", "auth.webservices.auth-token", JSON.stringify({ tests: "test-token-0123456789", other: "zzzzzzzzzzzzzzzzzzzz" }));
      const after = await t.server.app.auditLog.list({ source: "api" }, 0, 1);
      assert.equal(after.rows[0].target, "auth.webservices.auth-token");
      assert.doesNotMatch(after.rows[0].detail, /zzzz/);
    });

    it("computes the dashboard figures from the ledger", async () => {
      const figures = await t.server.app.reports.dashboard(30, 0);
      assert.equal(figures.ledgerPerDay.length, 30);
      assert.equal(figures.ledgerPerDay[29].count, 2);
      assert.equal(figures.transactionsToday, 2);
      assert.equal(figures.totalPersonalBalance, 7_500_000);
      assert.deepEqual(figures.topSpenders, [{ username: "carol_1", spent: 4_500_000 }]);
      assert.equal(figures.balanceBuckets.reduce((n, b) => n + b.count, 0), 2);
      assert.equal(figures.balanceBuckets[0].count, 1, "one balance below zero");
    });

    it("searches users by the start of a name case-insensitively, anywhere with a leading *, taking _ and % literally", async () => {
      const names = async (search: string) => (await t.server.app.users.searchUsers(search, 0, 10)).rows.map((r) => r.username);
      assert.deepEqual(await names("CAROL"), ["carol_1", "carolx1"]);
      assert.deepEqual(await names("carol x"), ["carolx1"], "matches the start of the full name");
      assert.deepEqual(await names("carol@EXAMPLE"), ["carol_1"], "matches the start of the email");
      assert.deepEqual(await names("carol_"), ["carol_1"]);
      assert.deepEqual(await names("arol"), []);
      assert.deepEqual(await names("*arol"), ["carol_1", "carolx1"]);
      assert.deepEqual(await names("*l_"), ["carol_1"]);
      assert.deepEqual(await names("%"), []);
      assert.deepEqual(await names("*%"), []);
      const paged = await t.server.app.users.searchUsers("", 0, 1);
      assert.equal(paged.rows.length, 1);
      assert.equal(paged.more, true);
    });
  });
}
