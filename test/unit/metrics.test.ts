import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Metrics } from "../../src/server/metrics.js";

const INFO = { version: "1.2.3", dialect: "sqlite", uptimeSeconds: 5 };

describe("Prometheus metrics", () => {
  it("histogram buckets are cumulative and +Inf equals the count", () => {
    const m = new Metrics(new Set(["api.a"]));
    for (const ms of [0.5, 3, 3, 40, 20_000]) m.observeRpc({ xml: "", method: "api.a" }, ms);
    const text = m.render(INFO);
    const bucket = (le: string) => {
      const line = text.split("\n").find((l) => l.startsWith(`quire_api_request_duration_seconds_bucket{method="api.a",le="${le}"} `));
      assert.ok(line, le);
      return Number(line.split(" ")[1]);
    };
    assert.deepEqual(["0.001", "0.005", "0.05", "10", "+Inf"].map(bucket), [1, 3, 4, 4, 5]);
    assert.match(text, /^quire_api_request_duration_seconds_count\{method="api\.a"\} 5$/m);
    assert.match(text, /^quire_api_request_duration_seconds_sum\{method="api\.a"\} 20\.0465$/m);
  });

  it("counts faults per method and per code, and folds unknown method names into one series", () => {
    const m = new Metrics(new Set(["api.a"]));
    m.observeRpc({ xml: "", method: "api.a", faultCode: 0 }, 1);
    m.observeRpc({ xml: "", method: "api.evil\"name", faultCode: -1 }, 1);
    m.observeRpc({ xml: "", method: "api.other", faultCode: -1 }, 1);
    const text = m.render(INFO);
    assert.match(text, /^quire_api_faults_total\{method="api\.a"\} 1$/m);
    assert.match(text, /^quire_api_requests_total\{method="\(unknown\)"\} 2$/m);
    assert.match(text, /^quire_api_faults_by_code_total\{code="-1"\} 2$/m);
    assert.ok(!text.includes("evil"));
  });

  it("times database queries and writes, counting failures", () => {
    const m = new Metrics(new Set());
    m.query(2, true);
    m.query(4, false);
    m.write(10, true);
    const text = m.render(INFO);
    assert.match(text, /^quire_db_query_duration_seconds_count 2$/m);
    assert.match(text, /^quire_db_query_errors_total 1$/m);
    assert.match(text, /^quire_db_write_duration_seconds_count 1$/m);
    assert.match(text, /^quire_build_info\{version="1\.2\.3",database="sqlite"\} 1$/m);
  });
});
