// Unix system users and groups through the name service (`getent passwd` / `getent group`), so local
// files, NIS and LDAP-backed nsswitch all work. A group's members are its listed members plus the
// users whose primary group it is.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Unavailable } from "../kernel/errors.js";
import { directoryUser, type DirectorySource, type DirectoryUser } from "./source.js";

const run = promisify(execFile);

interface PasswdEntry {
  user: DirectoryUser;
  gid: string;
}

async function getent(database: "passwd" | "group", ...keys: string[]): Promise<string[]> {
  try {
    const { stdout } = await run("getent", [database, ...keys], { maxBuffer: 256 * 1024 * 1024 });
    return stdout.split("\n").filter((l) => l.trim() !== "");
  } catch (error) {
    // getent exits 2 when a key is not found.
    if ((error as { code?: number }).code === 2) return [];
    throw new Unavailable(`Could not read the system's ${database} database: ${(error as Error).message}`);
  }
}

function parsePasswd(line: string): PasswdEntry | undefined {
  const [name, , , gid, gecos, home] = line.split(":");
  if (!name) return undefined;
  return { user: directoryUser(name, { fullName: (gecos ?? "").split(",")[0].trim(), home: home ?? "" }), gid: gid ?? "" };
}

export class UnixSource implements DirectorySource {
  readonly description = "Unix (getent)";

  async allUsers(): Promise<DirectoryUser[]> {
    return (await getent("passwd")).map(parsePasswd).flatMap((e) => (e ? [e.user] : []));
  }

  async allGroups(): Promise<string[]> {
    return (await getent("group")).map((l) => l.split(":")[0]).filter((n) => n !== "");
  }

  async groupMemberNames(group: string): Promise<string[]> {
    const [line] = await getent("group", group);
    if (!line) return [];
    const [, , gid, members] = line.split(":");
    const names = new Set((members ?? "").split(",").map((m) => m.trim().toLowerCase()).filter((m) => m !== ""));
    for (const entry of (await getent("passwd")).map(parsePasswd)) if (entry && entry.gid === gid) names.add(entry.user.username);
    return [...names].sort();
  }

  async userDetails(username: string): Promise<DirectoryUser | undefined> {
    const [line] = await getent("passwd", username);
    return line ? parsePasswd(line)?.user : undefined;
  }
}
