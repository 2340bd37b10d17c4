// The one interface every user directory source implements (Unix, LDAP, PaperCut's custom sync
// program, a plain file), and the user-details record they return.

export interface DirectoryUser {
  username: string;
  fullName: string;
  email: string;
  department: string;
  office: string;
  primaryCard: string;
  otherEmails: string;
  secondaryCard: string;
  alias: string;
  home: string;
  pin: string;
}

export interface DirectorySource {
  /** For messages: "LDAP ldap://…", "Unix", … */
  readonly description: string;
  /** Every user; throws when the directory cannot be reached. */
  allUsers(): Promise<DirectoryUser[]>;
  allGroups(): Promise<string[]>;
  /** Usernames of a group's members, nested groups resolved. */
  groupMemberNames(group: string): Promise<string[]>;
  /** One user, or undefined when the directory does not know them. */
  userDetails(username: string): Promise<DirectoryUser | undefined>;
}

export function directoryUser(username: string, details: Partial<Omit<DirectoryUser, "username">> = {}): DirectoryUser {
  return {
    username: username.trim().toLowerCase(),
    fullName: "",
    email: "",
    department: "",
    office: "",
    primaryCard: "",
    otherEmails: "",
    secondaryCard: "",
    alias: "",
    home: "",
    pin: "",
    ...details,
  };
}

/**
 * A user-details line of PaperCut's custom sync protocol (also the plain file's format): TAB-separated
 * username, full name, email, department, office, primary card, other emails, secondary card, alias,
 * home, PIN. Missing trailing fields are empty; extra fields are ignored. Undefined for a blank line.
 */
export function parseUserDetailsLine(line: string): DirectoryUser | undefined {
  const f = line.replace(/\r$/, "").split("\t");
  const username = (f[0] ?? "").trim();
  if (username === "") return undefined;
  const at = (i: number) => (f[i] ?? "").trim();
  return directoryUser(username, {
    fullName: at(1),
    email: at(2),
    department: at(3),
    office: at(4),
    primaryCard: at(5),
    otherEmails: at(6),
    secondaryCard: at(7),
    alias: at(8),
    home: at(9),
    pin: at(10),
  });
}
