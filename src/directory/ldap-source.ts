// LDAP / Active Directory through ldapts: users and groups searched under one or more base DNs with
// configurable filters and attribute names (PaperCut's ldap.schema.* keys), nested groups resolved.
import { Client, type Entry } from "ldapts";
import { Unavailable } from "../kernel/errors.js";
import { directoryUser, type DirectorySource, type DirectoryUser } from "./source.js";

export interface LdapSettings {
  url: string;
  bindDn: string;
  bindPassword: string;
  baseDns: string[];
  userNameField: string;
  fullNameField: string;
  emailField: string;
  departmentField: string;
  officeField: string;
  cardField: string;
  secondCardField: string;
  otherEmailsField: string;
  pinField: string;
  /** `{0}` becomes `*` to list users or the escaped username to look one up. */
  userSearch: string;
  groupNameField: string;
  groupMemberField: string;
  groupSearch: string;
}

/** Escapes a value for an LDAP filter (RFC 4515). */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

function first(entry: Entry, attribute: string): string {
  if (attribute === "") return "";
  const value = entry[attribute];
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined ? "" : String(one).trim();
}

function all(entry: Entry, attribute: string): string[] {
  const value = entry[attribute];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

const normDn = (dn: string) => dn.replace(/\s*,\s*/g, ",").toLowerCase();

interface GroupEntry {
  name: string;
  members: string[];
}

export class LdapSource implements DirectorySource {
  private usersByDn?: Map<string, DirectoryUser>;
  private groups?: Map<string, GroupEntry>;

  constructor(private readonly settings: LdapSettings) {}

  get description(): string {
    return `LDAP ${this.settings.url}`;
  }

  private async withClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ url: this.settings.url, timeout: 60_000, connectTimeout: 10_000 });
    try {
      if (this.settings.bindDn !== "") await client.bind(this.settings.bindDn, this.settings.bindPassword);
      return await work(client);
    } catch (error) {
      throw new Unavailable(`The LDAP directory ${this.settings.url} could not be read: ${(error as Error).message}`);
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  private async search(client: Client, filter: string, attributes: string[]): Promise<Entry[]> {
    const entries: Entry[] = [];
    for (const base of this.settings.baseDns) {
      const { searchEntries } = await client.search(base, { scope: "sub", filter, attributes, paged: { pageSize: 500 } });
      entries.push(...searchEntries);
    }
    return entries;
  }

  private toUser(entry: Entry): DirectoryUser | undefined {
    const s = this.settings;
    const username = first(entry, s.userNameField);
    if (username === "") return undefined;
    return directoryUser(username, {
      fullName: first(entry, s.fullNameField),
      email: first(entry, s.emailField),
      department: first(entry, s.departmentField),
      office: first(entry, s.officeField),
      primaryCard: first(entry, s.cardField),
      secondaryCard: first(entry, s.secondCardField),
      otherEmails: s.otherEmailsField === "" ? "" : all(entry, s.otherEmailsField).join(","),
      pin: first(entry, s.pinField),
    });
  }

  private userAttributes(): string[] {
    const s = this.settings;
    return [s.userNameField, s.fullNameField, s.emailField, s.departmentField, s.officeField, s.cardField, s.secondCardField, s.otherEmailsField, s.pinField].filter((a) => a !== "");
  }

  private async loadUsers(): Promise<Map<string, DirectoryUser>> {
    if (!this.usersByDn) {
      const filter = this.settings.userSearch.replace(/\{0\}/g, "*");
      const entries = await this.withClient((c) => this.search(c, filter, this.userAttributes()));
      this.usersByDn = new Map();
      for (const entry of entries) {
        const user = this.toUser(entry);
        if (user) this.usersByDn.set(normDn(entry.dn), user);
      }
    }
    return this.usersByDn;
  }

  private async loadGroups(): Promise<Map<string, GroupEntry>> {
    if (!this.groups) {
      const s = this.settings;
      const entries = await this.withClient((c) => this.search(c, s.groupSearch, [s.groupNameField, s.groupMemberField]));
      this.groups = new Map();
      for (const entry of entries) {
        const name = first(entry, s.groupNameField);
        if (name !== "") this.groups.set(normDn(entry.dn), { name, members: all(entry, s.groupMemberField).map(normDn) });
      }
    }
    return this.groups;
  }

  async allUsers(): Promise<DirectoryUser[]> {
    return [...(await this.loadUsers()).values()];
  }

  async allGroups(): Promise<string[]> {
    return [...new Set([...(await this.loadGroups()).values()].map((g) => g.name))].sort();
  }

  async groupMemberNames(group: string): Promise<string[]> {
    const groups = await this.loadGroups();
    const users = await this.loadUsers();
    const names = new Set<string>();
    const visited = new Set<string>();
    const visit = (dn: string) => {
      if (visited.has(dn)) return;
      visited.add(dn);
      const g = groups.get(dn);
      if (!g) return;
      for (const member of g.members) {
        const user = users.get(member);
        if (user) names.add(user.username);
        else if (groups.has(member)) visit(member);
      }
    };
    for (const [dn, g] of groups) if (g.name === group) visit(dn);
    return [...names].sort();
  }

  async userDetails(username: string): Promise<DirectoryUser | undefined> {
    const filter = this.settings.userSearch.replace(/\{0\}/g, escapeFilterValue(username));
    const entries = await this.withClient((c) => this.search(c, filter, this.userAttributes()));
    return entries.map((e) => this.toUser(e)).find((u) => u !== undefined);
  }
}
