// The admin interface end to end in headless Chromium against a real server: sign-in and its back-off,
// a balance adjustment seen in the transactions, the allowed-callers list deciding an API call from
// 127.0.0.2, the config editor, CSRF refusal, the audit log, accessibility basics and screenshots.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { BACKENDS } from "../support/backends.js";
import { launchBrowser, type TestBrowser } from "../support/browser.js";
import { Fault } from "../support/rpc-client.js";
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from "../support/server.js";

const ARTIFACTS = join(process.cwd(), "test-artifacts");

for (const backend of BACKENDS) {
  describe(`admin web interface in Chromium (${backend})`, () => {
    let t: TestServer;
    let browser: TestBrowser;
    let page: Page;
    let base: string;
    const consoleErrors: string[] = [];
    const scriptErrors: string[] = [];

    before(async () => {
      t = await startTestServer(backend);
      base = `http://127.0.0.1:${t.server.httpPort}`;
      await t.rpc.call("api.addNewInternalUser", "alice", "pw-alice", "Alice Example", "alice@example.org", "C-100", "");
      await t.rpc.call("api.addNewInternalUser", "bob", "pw-bob", "Bob Builder", "bob@example.org", "", "");
      for (let i = 1; i <= 12; i++) await t.rpc.call("api.addNewInternalUser", `user${String(i).padStart(2, "0")}`, "pw", `User ${i}`, "", "", "");
      await t.rpc.call("api.adjustUserAccountBalance", "alice", { double: 20 }, "initial credit");
      await t.rpc.call("api.adjustUserAccountBalance", "alice", { double: -3.5 }, "printing");
      await t.rpc.call("api.adjustUserAccountBalance", "bob", { double: -7.25 }, "printing");
      for (let i = 1; i <= 12; i++) await t.rpc.call("api.adjustUserAccountBalance", `user${String(i).padStart(2, "0")}`, { double: i * 4 - 10 }, "seed");
      await t.rpc.call("api.addNewSharedAccount", "Science\\Physics");
      await t.rpc.call("api.addSharedAccountAccessUser", "Science\\Physics", "alice");
      await t.rpc.call("api.addNewGroup", "Staff");
      await t.rpc.call("api.addUserToGroup", "alice", "Staff");
      await t.rpc.call("api.setGroupQuota", "Staff", { double: 5 }, "WEEKLY");
      browser = await launchBrowser();
      page = await browser.context.newPage();
      page.on("console", (message) => {
        if (message.type() === "error") consoleErrors.push(`${page.url()}: ${message.text()}`);
      });
      page.on("pageerror", (error) => scriptErrors.push(`${page.url()}: ${error.message}`));
      page.on("dialog", (dialog) => void dialog.accept());
      mkdirSync(ARTIFACTS, { recursive: true });
    });

    after(async () => {
      await browser?.close();
      await t?.close();
    });

    async function balanceOf(username: string): Promise<number> {
      return t.rpc.call<number>("api.getUserAccountBalance", username);
    }

    async function signIn(password: string): Promise<number> {
      await page.fill("#f-username", "admin");
      await page.fill("#f-password", password);
      const started = performance.now();
      await Promise.all([page.waitForLoadState("load"), page.waitForNavigation(), page.click("button[type=submit]")]);
      return performance.now() - started;
    }

    it("sends a visitor without a session to the sign-in page", async () => {
      await page.goto(`${base}/admin/users`);
      assert.match(page.url(), /\/admin\/login\?next=%2Fadmin%2Fusers$/);
      assert.equal(await page.title(), "Sign in · Quire admin");
    });

    it("refuses a wrong password, and each further failure answers more slowly", async () => {
      const first = await signIn("not-the-password");
      assert.match(await page.textContent(".form-error") ?? "", /username or password is not right/);
      const second = await signIn("still-not-it");
      assert.match(await page.textContent(".form-error") ?? "", /username or password is not right/);
      assert.ok(first >= 240, `the first failure was answered after ${first} ms`);
      assert.ok(second >= 490, `the second failure was answered after ${second} ms`);
      assert.match(page.url(), /\/admin\/login$/);
    });

    it("signs in with the admin password and shows the dashboard with its charts", async () => {
      await signIn(TEST_ADMIN_PASSWORD);
      assert.match(page.url(), /\/admin\/users$/, "returns to the page first asked for");
      await page.goto(`${base}/admin`);
      assert.equal(await page.title(), "Dashboard · Quire admin");
      assert.equal(await page.locator("svg.chart").count(), 3);
      assert.match(await page.textContent(".counts") ?? "", /Users\s*14/);
      assert.ok((await page.locator("svg.chart rect.bar").count()) >= 30);
      await page.screenshot({ path: join(ARTIFACTS, `dashboard-${backend}.png`), fullPage: true });
    });

    it("finds a user by search and adjusts the balance, shown in the user's transactions", async () => {
      await page.goto(`${base}/admin/users`);
      await page.fill("#f-q", "ALICE");
      await Promise.all([page.waitForNavigation(), page.click("form[role=search] button")]);
      assert.equal(await page.locator("table tbody tr").count(), 1);
      await Promise.all([page.waitForNavigation(), page.click("table a >> text=alice")]);
      assert.equal(await page.title(), "User alice · Quire admin");
      await page.fill("#f-amount", "5.25");
      await page.fill("#f-comment", "Top-up at the front desk");
      await Promise.all([page.waitForNavigation(), page.click("text=Adjust balance")]);
      assert.match(await page.textContent(".flash") ?? "", /by 5\.25\. The balance is now 21\.75/);
      const firstRow = await page.textContent("table.transactions tbody tr:first-child");
      assert.match(firstRow ?? "", /5\.25/);
      assert.match(firstRow ?? "", /Top-up at the front desk/);
      assert.match(firstRow ?? "", /admin/);
      assert.equal(await balanceOf("alice"), 21.75);
      await page.screenshot({ path: join(ARTIFACTS, `user-page-${backend}.png`), fullPage: true });
    });

    it("shows a bad amount next to its field and applies nothing", async () => {
      await page.fill("#f-amount", "12,50");
      await page.fill("#f-comment", "should not apply");
      await Promise.all([page.waitForNavigation(), page.click("text=Adjust balance")]);
      assert.match(await page.textContent("#f-amount-error") ?? "", /not an amount/);
      assert.equal(await page.inputValue("#f-comment"), "should not apply", "the form keeps what was typed");
      assert.equal(await balanceOf("alice"), 21.75);
    });

    it("edits the allowed callers: an API call from 127.0.0.2 is accepted, then refused", async () => {
      const remote = t.rpc.from("127.0.0.2");
      await assert.rejects(remote.call("api.getTotalUsers"), (e: unknown) => e instanceof Fault && /Access denied/.test(e.faultString));
      await page.goto(`${base}/admin/options/api`);
      await page.fill("#f-addresses", "127.0.0.1\n::1\n300.1.2.3");
      await Promise.all([page.waitForNavigation(), page.click("text=Save callers")]);
      assert.match(await page.textContent("#f-addresses-error") ?? "", /300\.1\.2\.3/);
      await page.fill("#f-addresses", "127.0.0.1\n::1\n127.0.0.2");
      await Promise.all([page.waitForNavigation(), page.click("text=Save callers")]);
      assert.match(await page.textContent(".flash") ?? "", /127\.0\.0\.2/);
      assert.equal(await remote.call("api.getTotalUsers"), 14);
      await remote.call("api.adjustUserAccountBalance", "bob", { double: 1 }, "from the second address");
      await page.fill("#f-addresses", "127.0.0.1\n::1");
      await Promise.all([page.waitForNavigation(), page.click("text=Save callers")]);
      await assert.rejects(remote.call("api.getTotalUsers"), (e: unknown) => e instanceof Fault && e.faultCode === 403);
    });

    it("lists the web services tokens masked with their application names", async () => {
      const text = await page.textContent("main table");
      assert.match(text ?? "", /tests/);
      assert.doesNotMatch(await page.content(), /test-token-0123456789/);
    });

    it("edits a config key in the config editor, and the API reads the new value", async () => {
      await page.goto(`${base}/admin/options/config`);
      assert.match(await page.textContent(".warning") ?? "", /careless change/i);
      await page.fill("#f-q", "overdraft");
      await Promise.all([page.waitForNavigation(), page.click("form[role=search] button")]);
      await Promise.all([page.waitForNavigation(), page.click("a[aria-label='Edit accounts.restricted.default-overdraft']")]);
      await page.fill("#f-value", "2.50");
      await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
      assert.match(await page.textContent(".flash") ?? "", /Saved accounts\.restricted\.default-overdraft/);
      assert.equal(await t.rpc.call("api.getConfigValue", "accounts.restricted.default-overdraft"), "2.50");
    });

    it("shows shared accounts as a tree and adjusts a sub-account's balance; shows a group's quota and members", async () => {
      await page.goto(`${base}/admin/shared-accounts`);
      const rows = await page.locator("main table tbody tr").allTextContents();
      assert.equal(rows.length, 2);
      assert.match(rows[0], /Science/);
      assert.match(rows[1], /Physics/);
      await Promise.all([page.waitForNavigation(), page.click("main table a >> text=Physics")]);
      assert.match(await page.textContent("main dl") ?? "", /alice/);
      await page.fill("#f-amount", "-1.50");
      await page.fill("#f-comment", "Lab printing");
      await Promise.all([page.waitForNavigation(), page.click("text=Adjust balance")]);
      assert.match(await page.textContent(".flash") ?? "", /by -1\.50/);
      assert.equal(await t.rpc.call("api.getSharedAccountAccountBalance", "Science\\Physics"), -1.5);
      await page.goto(`${base}/admin/groups`);
      await Promise.all([page.waitForNavigation(), page.click("main table a >> text=Staff")]);
      assert.match(await page.textContent("main") ?? "", /5\.00 weekly/);
      assert.match(await page.textContent("main table") ?? "", /alice/);
    });

    it("runs a backup from Options › Backups, follows its progress and lists the file", async () => {
      await page.goto(`${base}/admin/options/backups`);
      assert.equal(await page.locator("table.backups tbody tr td[colspan]").count(), 1, "no backups yet");
      await Promise.all([page.waitForNavigation(), page.click("button:has-text('Backup now')")]);
      assert.match(await page.textContent(".flash") ?? "", /backup has started/);
      // The page script polls the task status until the task completes.
      await page.waitForSelector("#task-state[data-completed=true]", { timeout: 20_000 });
      assert.match(await page.textContent("#task-message") ?? "", /Backup complete/);
      await page.click("text=Refresh");
      await page.waitForLoadState("load");
      const rows = await page.locator("table.backups tbody tr").allTextContents();
      assert.equal(rows.length, 1);
      assert.match(rows[0], /export-.*\.zip.*(KiB|MiB| B)/s);
      assert.match(await t.rpc.call<{ message: string }>("api.getTaskStatus").then((s) => s.message), /Backup complete/);
    });

    it("imports a UTF-16 card file by upload and lists its batch; a bad file is refused next to its field", async () => {
      const dir = mkdtempSync(join(tmpdir(), "quire-web-cards-"));
      try {
        const header = "CardNumber,BatchID,ValueNumber,Value,ExpDate,ExpDateDisplay";
        const line = (n: string) => `"${n}","WEB1","5","$5.00","2099-12-31","31/12/2099"`;
        const good = join(dir, "cards.txt");
        writeFileSync(good, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([header, line("WEB1-001"), line("WEB1-002"), line("WEB1-003")].join("\r\n") + "\r\n", "utf16le")]));
        const bad = join(dir, "bad.txt");
        writeFileSync(bad, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(line("X-1") + "\r\n", "utf16le")]));
        await page.goto(`${base}/admin/options/cards`);
        await page.setInputFiles("#f-file", bad);
        await Promise.all([page.waitForNavigation(), page.click("text=Import cards")]);
        assert.match(await page.textContent("#f-file-error") ?? "", /header/);
        assert.equal(await page.locator("table.batches tbody tr td[colspan]").count(), 1, "nothing imported");
        await page.setInputFiles("#f-file", good);
        await Promise.all([page.waitForNavigation(), page.click("text=Import cards")]);
        assert.match(await page.textContent(".flash") ?? "", /Imported 3 cards/);
        assert.equal(await t.rpc.call("api.useCard", "alice", "WEB1-002"), "SUCCESS");
        await page.reload();
        const rows = await page.locator("table.batches tbody tr").allTextContents();
        assert.equal(rows.length, 1);
        assert.match(rows[0], /WEB1\s*3\s*1\s*2\s*15\.00/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("saves directory settings only when the whole form is valid, and starts a sync", async () => {
      await page.goto(`${base}/admin/options/directory`);
      await page.selectOption("#f-user-source-type", "file");
      await page.fill("#f-user-source-sync-max-delete-percent", "250");
      await Promise.all([page.waitForNavigation(), page.click("text=Save directory settings")]);
      assert.match(await page.textContent("#f-user-source-file-users-error") ?? "", /users file/);
      assert.match(await page.textContent("#f-user-source-sync-max-delete-percent-error") ?? "", /0 to 100/);
      assert.equal(await t.rpc.call("api.getConfigValue", "user-source.type"), "", "nothing applied");
      const dir = mkdtempSync(join(tmpdir(), "quire-web-dir-"));
      try {
        const users = join(dir, "users.tsv");
        writeFileSync(users, "dora\tDora Directory\tdora@example.org\n");
        await page.selectOption("#f-user-source-type", "file");
        await page.fill("#f-user-source-file-users", users);
        await page.fill("#f-user-source-sync-max-delete-percent", "10");
        await Promise.all([page.waitForNavigation(), page.click("text=Save directory settings")]);
        assert.match(await page.textContent(".flash") ?? "", /saved/);
        assert.equal(await t.rpc.call("api.getConfigValue", "user-source.type"), "file");
        await Promise.all([page.waitForNavigation(), page.click("button:has-text('Synchronize now')")]);
        assert.match(await page.textContent(".flash") ?? "", /synchronisation has started/);
        await page.waitForSelector("#task-state[data-completed=true]", { timeout: 20_000 });
        assert.ok(await t.rpc.call("api.isUserExists", "dora"));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("lists printers with their cost and disables and enables one", async () => {
      await t.rpc.call("api.registerPrinter", "ps1", "Library");
      await t.rpc.call("api.setPrinterCostSimple", "ps1", "Library", { double: 0.1 });
      await page.goto(`${base}/admin/printers`);
      assert.match(await page.textContent("table.printers") ?? "", /ps1\\Library\s*SIMPLE\s*0\.10/);
      await Promise.all([page.waitForNavigation(), page.locator("table.printers tr", { hasText: "Library" }).locator("button").click()]);
      assert.match(await page.textContent(".flash") ?? "", /disabled/);
      assert.equal(await t.rpc.call("api.getPrinterProperty", "ps1", "Library", "disabled"), "true");
      await Promise.all([page.waitForNavigation(), page.locator("table.printers tr", { hasText: "Library" }).locator("button").click()]);
      assert.equal(await t.rpc.call("api.getPrinterProperty", "ps1", "Library", "disabled"), "false");
    });

    it("refuses a form without its CSRF token and changes nothing", async () => {
      await page.goto(`${base}/admin/user?name=bob`);
      const before = await balanceOf("bob");
      // The browser side runs as a string: the project compiles without the DOM library.
      await page.evaluate(`document.querySelector("form[action='/admin/user/adjust'] input[name=_csrf]").remove()`);
      await page.fill("#f-amount", "100");
      const [response] = await Promise.all([page.waitForNavigation(), page.click("text=Adjust balance")]);
      assert.equal(response?.status(), 403);
      assert.match(await page.textContent("main") ?? "", /security token/);
      assert.equal(await balanceOf("bob"), before);
    });

    it("records admin and API changes in the audit log: who, from where, what", async () => {
      await page.goto(`${base}/admin/logs/audit`);
      const rows = await page.locator("table.audit tbody tr").allTextContents();
      assert.ok(rows.some((r) => /admin.*127\.0\.0\.1.*adjust balance.*alice.*5\.25/s.test(r)), rows.join("\n"));
      assert.ok(rows.some((r) => /tests.*127\.0\.0\.2.*api\.adjustUserAccountBalance.*bob/s.test(r)), "the API call is attributed to the token's application");
      assert.ok(rows.some((r) => /set config value.*auth\.webservices\.allowed-addresses/s.test(r)));
      assert.ok(!rows.some((r) => /api\.getTotalUsers/.test(r)), "reads are not audited");
      await page.selectOption("#f-source", "api");
      await Promise.all([page.waitForNavigation(), page.click("text=Filter")]);
      const apiRows = await page.locator("table.audit tbody tr").allTextContents();
      assert.ok(apiRows.length > 0 && apiRows.every((r) => /API/.test(r)));
    });

    it("gives every page a title and labelled form fields, without console errors", async () => {
      // Refusals earlier in this suite log their 4xx answers on purpose; from here on the console must stay clean.
      consoleErrors.length = 0;
      const pages = ["/admin", "/admin/users", "/admin/users?q=user&page=1", "/admin/user?name=alice", "/admin/shared-accounts", "/admin/shared-account?name=Science%5CPhysics", "/admin/groups", "/admin/group?name=Staff", "/admin/logs/transactions", "/admin/logs/audit", "/admin/options", "/admin/options/api", "/admin/options/config", "/admin/options/config/edit?key=auth.webservices.allowed-addresses", "/admin/options/backups", "/admin/options/directory", "/admin/options/cards", "/admin/printers"];
      for (const path of pages) {
        const response = await page.goto(`${base}${path}`);
        assert.equal(response?.status(), 200, path);
        const title = await page.title();
        assert.match(title, /\S.* · Quire admin$/, `${path} has a title`);
        const unlabelled = await page.evaluate<string[]>(
          `[...document.querySelectorAll("input, select, textarea")]
            .filter((el) => el.type !== "hidden")
            .filter((el) => el.labels.length === 0 && !el.getAttribute("aria-label"))
            .map((el) => el.outerHTML)`,
        );
        assert.deepEqual(unlabelled, [], `${path} has unlabelled fields`);
        assert.equal(await page.locator("h1").count(), 1, `${path} has one heading`);
      }
      assert.deepEqual(consoleErrors, []);
      assert.deepEqual(scriptErrors, [], "no script error on any page during the whole suite");
    });

    it("signs out, after which nothing is reachable", async () => {
      await page.goto(`${base}/admin`);
      await Promise.all([page.waitForNavigation(), page.click("text=Sign out")]);
      assert.match(page.url(), /\/admin\/login$/);
      await page.goto(`${base}/admin/options/config`);
      assert.match(page.url(), /\/admin\/login/);
    });
  });
}
