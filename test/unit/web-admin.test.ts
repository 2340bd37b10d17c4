// Pure parts of the admin interface and the audit trail: escaping, charts, sign-in back-off, sessions,
// redirects after sign-in, and which API calls are audited with what masked.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ManualClock } from "../../src/kernel/clock.js";
import { boolean, method, money, optional, pairs, returns, string } from "../../src/rpc/method-table.js";
import { describeCall, isStateChangingName } from "../../src/rpc/audit-summary.js";
import { barChart, columnChart, niceMax } from "../../src/web/charts.js";
import { html, qs } from "../../src/web/html.js";
import { LoginThrottle } from "../../src/web/login-throttle.js";
import { safeNext } from "../../src/web/pages/login.js";
import { SessionStore, tokensMatch } from "../../src/web/sessions.js";
import { parseMultipart } from "../../src/web/web-io.js";
import { maskToken, readTokenConfig } from "../../src/security/tokens.js";

describe("html templates", () => {
  it("escape interpolated text and attribute values, and keep nested templates", () => {
    const name = `<script>alert("x")</script>' &`;
    const out = html`<a title="${name}">${name}</a>${html`<b>${"ok"}</b>`}${[1, 2].map((n) => html`<i>${n}</i>`)}${null}${false}`.text;
    assert.equal(out, `<a title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; &amp;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; &amp;</a><b>ok</b><i>1</i><i>2</i>`);
  });
  it("build query strings that skip empty values", () => {
    assert.equal(qs({ q: "a b&c", page: 2, x: "" }), "?q=a%20b%26c&page=2");
    assert.equal(qs({}), "");
  });
});

describe("SVG charts", () => {
  it("round the axis to 1, 2 or 5 times a power of ten", () => {
    assert.deepEqual([0, 1, 3, 7, 12, 99, 101].map(niceMax), [1, 1, 5, 10, 20, 100, 200]);
  });
  it("draw one bar per point with a caption, and escape labels", () => {
    const svg = columnChart([{ label: "<a>", value: 3 }, { label: "b", value: 0 }], { title: "T & U" });
    assert.equal((svg.match(/<rect class="bar"/g) ?? []).length, 2);
    assert.match(svg, /<title id="c-t-u-t">T &amp; U<\/title>/);
    assert.match(svg, /&lt;a&gt;: 3/);
    assert.doesNotMatch(svg, /<a>/);
    assert.match(svg, /role="img"/);
  });
  it("scale horizontal bars to the largest value and say when there is no data", () => {
    const svg = barChart([{ label: "x", value: 10 }, { label: "y", value: 5 }], { title: "Top", width: 640 });
    const widths = [...svg.matchAll(/<rect class="bar" x="160" y="[\d.]+" width="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(widths, [400, 200]);
    assert.match(barChart([], { title: "Empty" }), /No data yet/);
  });
});

describe("sign-in back-off", () => {
  it("doubles the wait after each failure, refuses attempts during it, and forgets on success", () => {
    const clock = new ManualClock(1_000_000);
    const throttle = new LoginThrottle(clock, { baseDelayMs: 250, maxDelayMs: 1000, lockoutAfter: 5, lockoutMs: 60_000, forgetAfterMs: 600_000 });
    assert.deepEqual(throttle.check("a"), { allowed: true });
    assert.deepEqual([1, 2, 3, 4].map(() => throttle.fail("a")), [250, 500, 1000, 1000]);
    const blocked = throttle.check("a");
    assert.equal(blocked.allowed, false);
    assert.deepEqual(throttle.check("b"), { allowed: true }, "other addresses are not affected");
    clock.advance(1000);
    assert.deepEqual(throttle.check("a"), { allowed: true });
    throttle.fail("a");
    clock.advance(1000);
    const locked = throttle.check("a");
    assert.ok(!locked.allowed && locked.lockedOut && locked.retryAfterMs === 59_000);
    clock.advance(59_000);
    assert.deepEqual(throttle.check("a"), { allowed: true });
    throttle.succeed("a");
    assert.equal(throttle.fail("a"), 250, "a success starts the count again");
  });
});

describe("admin sessions", () => {
  it("expire after the idle time and after the absolute lifetime", () => {
    const clock = new ManualClock(0);
    const store = new SessionStore(clock, { idleMs: 1000, absoluteMs: 2500, maxSessions: 10 });
    const s = store.create({ name: "admin", method: "admin-password" });
    clock.advance(900);
    assert.equal(store.find(s.id), s);
    clock.advance(900);
    assert.equal(store.find(s.id), s);
    clock.advance(1001);
    assert.equal(store.find(s.id), undefined, "idle too long");
    const t = store.create({ name: "admin", method: "admin-password" });
    for (let i = 0; i < 3; i++) {
      clock.advance(900);
      store.find(t.id);
    }
    assert.equal(store.find(t.id), undefined, "past the absolute lifetime");
  });
  it("keep at most maxSessions, dropping the least recently used", () => {
    const clock = new ManualClock(0);
    const store = new SessionStore(clock, { idleMs: 1e9, absoluteMs: 1e9, maxSessions: 2 });
    const a = store.create({ name: "a", method: "m" });
    clock.advance(1);
    const b = store.create({ name: "b", method: "m" });
    clock.advance(1);
    store.find(a.id);
    store.create({ name: "c", method: "m" });
    assert.ok(store.find(a.id));
    assert.equal(store.find(b.id), undefined);
  });
  it("compare tokens exactly", () => {
    assert.equal(tokensMatch("abc", "abc"), true);
    assert.equal(tokensMatch("abc", "abd"), false);
    assert.equal(tokensMatch("abc", "ab"), false);
    assert.equal(tokensMatch("abc", undefined), false);
  });
  it("follow only admin paths after sign-in", () => {
    assert.equal(safeNext("/admin/users?q=a"), "/admin/users?q=a");
    for (const bad of ["https://evil.example/", "//evil.example/admin", "/rpc/api/xmlrpc", "/admin\\@evil", null, ""]) assert.equal(safeNext(bad), "/admin");
  });
});

describe("audit rules for API calls", () => {
  it("treat get, is, list and lookUp methods as reads and everything else as changes", () => {
    assert.equal(isStateChangingName("api.getUserAccountBalance"), false);
    assert.equal(isStateChangingName("api.isUserExists"), false);
    assert.equal(isStateChangingName("api.listUserAccounts"), false);
    assert.equal(isStateChangingName("api.lookUpUserNameByCardNo"), false);
    assert.equal(isStateChangingName("api.adjustUserAccountBalance"), true);
    assert.equal(isStateChangingName("api.performGroupSync"), true);
  });
  it("let a method override the rule", () => {
    const m = method("api.getTaskStatus", [], returns.string, { summary: "", changesState: false }, () => "");
    assert.equal(m.changesState, false);
    assert.equal(method("api.setX", [], returns.boolean, { summary: "" }, () => true).changesState, true);
  });
  it("mask passwords, PINs, tokens and the values of secret names", () => {
    const add = method("api.addNewInternalUser", [string("username"), string("password"), string("fullName"), string("pin")], returns.boolean, { summary: "" }, () => true);
    assert.deepEqual(describeCall(add, ["bob", "hunter2", "Bob", "1234"]), { target: "bob", detail: "password=••••, fullName=Bob, pin=••••" });
    const setConfig = method("api.setConfigValue", [string("configName"), string("configValue")], returns.boolean, { summary: "" }, () => true);
    assert.equal(describeCall(setConfig, ["auth.webservices.auth-token", "abc"]).detail, "configValue=••••");
    assert.equal(describeCall(setConfig, ["some.key", "abc"]).detail, "configValue=abc");
    const setProp = method("api.setUserProperty", [string("username"), string("propertyName"), string("propertyValue")], returns.boolean, { summary: "" }, () => true);
    assert.equal(describeCall(setProp, ["bob", "card-pin", "9999"]).detail, "propertyName=card-pin, propertyValue=••••");
    assert.equal(describeCall(setProp, ["bob", "email", "b@x"]).detail, "propertyName=email, propertyValue=b@x");
    const setProps = method("api.setUserProperties", [string("username"), pairs("props")], returns.boolean, { summary: "" }, () => true);
    assert.equal(describeCall(setProps, ["bob", [["password", "p"], ["office", "B2"]]]).detail, "props=[password=••••, office=B2]");
    const adjust = method("api.adjust", [string("username"), money("adjustment"), optional(string("comment")), optional(boolean("flag"))], returns.boolean, { summary: "" }, () => true);
    assert.equal(describeCall(adjust, ["bob", 1_500_000, undefined, undefined]).detail, "adjustment=1.5");
  });
});

describe("web services tokens for display", () => {
  it("read every configured form with application names and mask all but the last four characters of long tokens", () => {
    assert.deepEqual(readTokenConfig('{"billing":"abcdefghijklmnopqrstuvwxyz"}'), [{ application: "billing", token: "abcdefghijklmnopqrstuvwxyz" }]);
    assert.deepEqual(readTokenConfig('["t1","t2"]').map((t) => t.application), ["token-1", "token-2"]);
    assert.deepEqual(readTokenConfig("plain"), [{ application: "default", token: "plain" }]);
    assert.equal(maskToken("abcdefghijklmnopqrstuvwxyz"), "••••••••wxyz");
    assert.equal(maskToken("short"), "••••••••");
  });
});

describe("multipart uploads", () => {
  it("separates text fields from files and keeps a file's bytes exactly", () => {
    const file = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("a,b\r\n\r\n--x", "utf16le")]);
    const body = Buffer.concat([
      Buffer.from('--XYZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\ntok\r\n'),
      Buffer.from('--XYZ\r\nContent-Disposition: form-data; name="file"; filename="cards.txt"\r\nContent-Type: text/plain\r\n\r\n'),
      file,
      Buffer.from("\r\n--XYZ--\r\n"),
    ]);
    const { form, files } = parseMultipart(body, "XYZ");
    assert.equal(form.get("_csrf"), "tok");
    assert.equal(files.get("file")?.filename, "cards.txt");
    assert.deepEqual(files.get("file")?.data, file);
  });

  it("refuses a body cut short", () => {
    assert.throws(() => parseMultipart(Buffer.from('--XYZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue'), "XYZ"), /incomplete/);
  });
});
