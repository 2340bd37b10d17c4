// Waits for the background task to complete by polling api.getTaskStatus with a deadline.
import type { RpcClient } from "./rpc-client.js";

export interface TaskStatus {
  completed: boolean;
  message: string;
}

export async function waitForTask(rpc: RpcClient, timeoutMs = 30_000): Promise<TaskStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await rpc.callRaw<TaskStatus>("api.getTaskStatus", []);
    if (status.completed) return status;
    if (Date.now() > deadline) throw new Error(`task did not complete within ${timeoutMs} ms; message so far:\n${status.message}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The last line of a completed task's message: its summary. */
export function summaryOf(status: TaskStatus): string {
  const lines = status.message.split("\n").filter((l) => l !== "");
  return lines[lines.length - 1] ?? "";
}
