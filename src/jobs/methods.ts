// API method for importing jobs: api.processJob.
import { method, returns, string } from "../rpc/method-table.js";

export const jobMethods = [
  method(
    "api.processJob",
    [string("jobDetails")],
    returns.boolean,
    { summary: "Logs and charges a job given as name=value fields (user, server, printer, …); false when the job was logged but denied (no credit, disabled printer, user or account)." },
    async (ctx, details) => {
      const outcome = await ctx.app.jobs.processJob(details, { application: ctx.caller.application });
      return outcome.status !== "DENIED";
    },
  ),
];
