// Shared by the in-process CPU benchmarks (dispatch-cost, job-cost): CPU time per call with a fixed
// number of calls in flight, best of several rounds after a warm-up.

export interface CpuCostOptions {
  calls: number;
  concurrency: number;
  rounds: number;
}

/** CPU µs per call of each round; `call` gets a running call number. */
export async function cpuCostPerCall(call: (i: number) => unknown, options: CpuCostOptions): Promise<number[]> {
  const batches = Math.ceil(options.calls / options.concurrency);
  let next = 0;
  const run = async () => {
    for (let b = 0; b < batches; b++) await Promise.all(Array.from({ length: options.concurrency }, () => call(next++)));
  };
  await run(); // warm-up
  const costs: number[] = [];
  for (let r = 0; r < options.rounds; r++) {
    const before = process.cpuUsage();
    await run();
    const used = process.cpuUsage(before);
    costs.push((used.user + used.system) / (batches * options.concurrency));
  }
  return costs;
}

/** One line: the label, the best round and every round. */
export function costLine(label: string, costs: readonly number[], width = 28): string {
  return `  ${label.padEnd(width)} ${Math.min(...costs).toFixed(1).padStart(7)}   (rounds: ${costs.map((c) => c.toFixed(1)).join(", ")})`;
}
