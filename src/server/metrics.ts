// Prometheus metrics: API calls and latencies per method, faults by code, database query and write
// timings, plus uptime and build information. Rendered in the Prometheus text exposition format.
import type { DispatchOutcome } from "../rpc/dispatcher.js";
import type { DatabaseObserver } from "../db/database.js";

/** Latency buckets in seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class Histogram {
  /** Observations per bucket (not cumulative; summed when rendered, which is rare, to keep observe cheap). */
  private readonly counts = new Array<number>(BUCKETS.length).fill(0);
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]) i++;
    if (i < BUCKETS.length) this.counts[i]++;
  }

  render(out: string[], name: string, labels: string): void {
    const sep = labels === "" ? "" : ",";
    let cumulative = 0;
    for (let i = 0; i < BUCKETS.length; i++) {
      cumulative += this.counts[i];
      out.push(`${name}_bucket{${labels}${sep}le="${BUCKETS[i]}"} ${cumulative}`);
    }
    out.push(`${name}_bucket{${labels}${sep}le="+Inf"} ${this.count}`);
    const braces = labels === "" ? "" : `{${labels}}`;
    out.push(`${name}_sum${braces} ${round(this.sum)}`);
    out.push(`${name}_count${braces} ${this.count}`);
  }
}

interface MethodStats {
  latency: Histogram;
  faults: number;
}

function round(n: number): string {
  return String(Math.round(n * 1e6) / 1e6);
}

function label(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Method names outside the table are counted under one label so callers cannot grow the series without bound. */
const UNKNOWN_METHOD = "(unknown)";

export interface MetricsInfo {
  version: string;
  dialect: string;
  uptimeSeconds: number;
}

export class Metrics implements DatabaseObserver {
  private readonly methods = new Map<string, MethodStats>();
  private readonly faultsByCode = new Map<number, number>();
  private readonly queries = new Histogram();
  private queryErrors = 0;
  private readonly writes = new Histogram();
  private writeErrors = 0;

  constructor(private readonly knownMethods: ReadonlySet<string>) {}

  /** The RPC route's observer: one call of a method, with its outcome and how long it took. */
  readonly observeRpc = (outcome: DispatchOutcome, elapsedMs: number): void => {
    const name = this.knownMethods.has(outcome.method) ? outcome.method : UNKNOWN_METHOD;
    let stats = this.methods.get(name);
    if (!stats) {
      stats = { latency: new Histogram(), faults: 0 };
      this.methods.set(name, stats);
    }
    stats.latency.observe(elapsedMs / 1000);
    if (outcome.faultCode !== undefined) {
      stats.faults++;
      this.faultsByCode.set(outcome.faultCode, (this.faultsByCode.get(outcome.faultCode) ?? 0) + 1);
    }
  };

  query(ms: number, ok: boolean): void {
    this.queries.observe(ms / 1000);
    if (!ok) this.queryErrors++;
  }

  write(ms: number, ok: boolean): void {
    this.writes.observe(ms / 1000);
    if (!ok) this.writeErrors++;
  }

  /** The number of calls seen for a method (tests and the health snapshot). */
  callCount(method: string): number {
    return this.methods.get(method)?.latency.count ?? 0;
  }

  render(info: MetricsInfo): string {
    const out: string[] = [];
    out.push("# HELP quire_build_info Quire version and database backend.", "# TYPE quire_build_info gauge");
    out.push(`quire_build_info{version="${label(info.version)}",database="${label(info.dialect)}"} 1`);
    out.push("# HELP quire_uptime_seconds Seconds since the server started.", "# TYPE quire_uptime_seconds gauge");
    out.push(`quire_uptime_seconds ${round(info.uptimeSeconds)}`);

    const names = [...this.methods.keys()].sort();
    out.push("# HELP quire_api_requests_total XML-RPC calls by API method.", "# TYPE quire_api_requests_total counter");
    for (const name of names) out.push(`quire_api_requests_total{method="${label(name)}"} ${this.methods.get(name)!.latency.count}`);
    out.push("# HELP quire_api_faults_total XML-RPC calls that answered with a fault, by API method.", "# TYPE quire_api_faults_total counter");
    for (const name of names) out.push(`quire_api_faults_total{method="${label(name)}"} ${this.methods.get(name)!.faults}`);
    out.push("# HELP quire_api_request_duration_seconds Time from request start to response, by API method.", "# TYPE quire_api_request_duration_seconds histogram");
    for (const name of names) this.methods.get(name)!.latency.render(out, "quire_api_request_duration_seconds", `method="${label(name)}"`);
    out.push("# HELP quire_api_faults_by_code_total XML-RPC faults by faultCode.", "# TYPE quire_api_faults_by_code_total counter");
    for (const code of [...this.faultsByCode.keys()].sort((a, b) => a - b)) out.push(`quire_api_faults_by_code_total{code="${code}"} ${this.faultsByCode.get(code)}`);

    out.push("# HELP quire_db_query_duration_seconds Duration of database queries.", "# TYPE quire_db_query_duration_seconds histogram");
    this.queries.render(out, "quire_db_query_duration_seconds", "");
    out.push("# HELP quire_db_query_errors_total Database queries that failed.", "# TYPE quire_db_query_errors_total counter");
    out.push(`quire_db_query_errors_total ${this.queryErrors}`);
    out.push("# HELP quire_db_write_duration_seconds Duration of write units, commit included.", "# TYPE quire_db_write_duration_seconds histogram");
    this.writes.render(out, "quire_db_write_duration_seconds", "");
    out.push("# HELP quire_db_write_errors_total Write units that failed.", "# TYPE quire_db_write_errors_total counter");
    out.push(`quire_db_write_errors_total ${this.writeErrors}`);

    const mem = process.memoryUsage();
    out.push("# HELP process_resident_memory_bytes Resident memory size in bytes.", "# TYPE process_resident_memory_bytes gauge");
    out.push(`process_resident_memory_bytes ${mem.rss}`);
    out.push("# HELP nodejs_heap_used_bytes V8 heap in use.", "# TYPE nodejs_heap_used_bytes gauge");
    out.push(`nodejs_heap_used_bytes ${mem.heapUsed}`);
    return out.join("\n") + "\n";
  }
}
