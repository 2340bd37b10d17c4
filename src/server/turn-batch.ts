// Work that becomes ready during one event-loop turn, run together when the turn's I/O callbacks are
// done (setImmediate). The XML-RPC route writes its answers this way: every write to a waiting client
// costs a wake-up of that client, and answers written back to back reach clients still awake from the
// first one. Under load this roughly doubles the calls answered per CPU second (docs/benchmarks.md);
// an answer waits at most for the other calls read in the same turn.

/** Returns a function that queues a task for the end of the current turn; tasks run in queue order. */
export function turnBatch(onError: (error: unknown) => void): (task: () => void) => void {
  let queued: Array<() => void> = [];
  const runQueued = () => {
    const batch = queued;
    queued = [];
    for (const task of batch) {
      try {
        task();
      } catch (error) {
        onError(error);
      }
    }
  };
  return (task) => {
    if (queued.push(task) === 1) setImmediate(runQueued);
  };
}
