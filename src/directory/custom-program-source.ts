// PaperCut's custom user/group sync program: `<program> - <command> [args…]`, UTF-8 lines on stdout,
// errors on stderr with a non-zero exit. is-user-in-group is not needed by the sync (group-member-names
// answers membership).
import { spawn } from "node:child_process";
import { Unavailable } from "../kernel/errors.js";
import { parseUserDetailsLine, type DirectorySource, type DirectoryUser } from "./source.js";

const TIMEOUT_MS = 5 * 60_000;

function runProgram(program: string, args: string[], stdin = ""): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, ["-", ...args], { stdio: ["pipe", "pipe", "pipe"], timeout: TIMEOUT_MS });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", (error) => reject(new Unavailable(`The custom user program ${program} could not be started: ${error.message}`)));
    child.on("close", (code) => {
      if (code !== 0) {
        const detail = Buffer.concat(err).toString("utf8").trim().split("\n")[0] ?? "";
        reject(new Unavailable(`The custom user program ${program} failed on "${args[0]}" (exit ${code})${detail ? `: ${detail}` : ""}.`));
        return;
      }
      resolve(Buffer.concat(out).toString("utf8").split("\n").map((l) => l.replace(/\r$/, "")).filter((l) => l.trim() !== ""));
    });
    // A program that does not read stdin may exit before it is written: that is not an error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin);
  });
}

export class CustomProgramSource implements DirectorySource {
  constructor(private readonly program: string) {}

  get description(): string {
    return `custom program ${this.program}`;
  }

  async isValid(): Promise<boolean> {
    const [first] = await runProgram(this.program, ["is-valid"]);
    return first?.trim().toUpperCase() === "Y";
  }

  async allUsers(): Promise<DirectoryUser[]> {
    if (!(await this.isValid())) throw new Unavailable(`The custom user program ${this.program} reports that it is not usable (is-valid answered N).`);
    return (await runProgram(this.program, ["all-users"])).flatMap((l) => parseUserDetailsLine(l) ?? []);
  }

  async allGroups(): Promise<string[]> {
    return (await runProgram(this.program, ["all-groups"])).map((l) => l.trim());
  }

  async groupMemberNames(group: string): Promise<string[]> {
    return (await runProgram(this.program, ["group-member-names", group])).map((l) => l.trim().toLowerCase());
  }

  async userDetails(username: string): Promise<DirectoryUser | undefined> {
    const [line] = await runProgram(this.program, ["get-user-details"], `${username}\n`);
    return line ? parseUserDetailsLine(line) : undefined;
  }
}
