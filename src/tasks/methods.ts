// api.getTaskStatus: the status of the current or most recent background task. Takes no auth token.
import { method, returns } from "../rpc/method-table.js";

export const taskMethods = [
  method(
    "api.getTaskStatus",
    [],
    returns.struct({ completed: "boolean", message: "string" }),
    { summary: "Status of the current or most recent background task: completed, and a message that grows line by line and ends with a summary.", needsToken: false },
    ({ app }) => app.tasks.status(),
  ),
];
