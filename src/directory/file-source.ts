// A plain tab-separated file: the users file holds user-details lines (the custom program's format);
// the optional groups file holds `group<TAB>username` lines, one membership each.
import { Unavailable } from "../kernel/errors.js";
import { readLines } from "../kernel/text-file.js";
import { parseUserDetailsLine, type DirectorySource, type DirectoryUser } from "./source.js";

async function linesOf(path: string): Promise<string[]> {
  const lines: string[] = [];
  try {
    for await (const { text } of readLines(path)) if (text.trim() !== "") lines.push(text);
  } catch (error) {
    throw new Unavailable(`The user directory file ${path} cannot be read: ${(error as Error).message}`);
  }
  return lines;
}

export class FileSource implements DirectorySource {
  constructor(
    private readonly usersFile: string,
    private readonly groupsFile: string,
  ) {}

  get description(): string {
    return `file ${this.usersFile}`;
  }

  async allUsers(): Promise<DirectoryUser[]> {
    return (await linesOf(this.usersFile)).flatMap((l) => parseUserDetailsLine(l) ?? []);
  }

  private async memberships(): Promise<Array<[string, string]>> {
    if (this.groupsFile === "") return [];
    return (await linesOf(this.groupsFile)).flatMap((l) => {
      const [group, user] = l.split("\t").map((x) => x.trim());
      return group && user ? [[group, user.toLowerCase()] as [string, string]] : [];
    });
  }

  async allGroups(): Promise<string[]> {
    return [...new Set((await this.memberships()).map(([g]) => g))].sort();
  }

  async groupMemberNames(group: string): Promise<string[]> {
    return (await this.memberships()).filter(([g]) => g === group).map(([, u]) => u);
  }

  async userDetails(username: string): Promise<DirectoryUser | undefined> {
    const wanted = username.trim().toLowerCase();
    return (await this.allUsers()).find((u) => u.username === wanted);
  }
}
