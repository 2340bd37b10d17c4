// Which user directory the server syncs from, read from config keys (see docs/compatibility.md).
import type { ConfigService } from "../config/service.js";
import { Invalid } from "../kernel/errors.js";
import { CustomProgramSource } from "./custom-program-source.js";
import { FileSource } from "./file-source.js";
import { LdapSource } from "./ldap-source.js";
import type { DirectorySource } from "./source.js";
import { UnixSource } from "./unix-source.js";

export const DIRECTORY_DEFAULTS: Readonly<Record<string, string>> = {
  /** none | unix | ldap | custom | file */
  "user-source.type": "none",
  "user-source.custom-program": "",
  "user-source.file.users": "",
  "user-source.file.groups": "",
  /** Y: card/ID numbers, alias and PIN from the directory are applied too (PaperCut's key). */
  "user-source.update-user-details-card-id": "Y",
  /** performUserAndGroupSync updates details of existing users. */
  "user-source.sync.update-user-details": "Y",
  /** Y: every directory group is created in Quire; N: only groups that exist in Quire are synced. */
  "user-source.sync.create-groups": "N",
  /** A sync that would delete more than this share of directory users stops without deleting. */
  "user-source.sync.max-delete-percent": "10",
  "ldap.server": "",
  "ldap.bind-dn": "",
  "ldap.bind-password": "",
  /** One or more base DNs separated by `;`. */
  "ldap.base-dn": "",
  "ldap.schema.user-name-field": "uid",
  "ldap.schema.user-full-name-field": "cn",
  "ldap.schema.user-email-field": "mail",
  "ldap.schema.user-department-field": "departmentNumber",
  "ldap.schema.user-office-field": "physicalDeliveryOfficeName",
  "ldap.schema.user-card-id-field": "employeeNumber",
  "ldap.schema.user-second-card-id-field": "",
  "ldap.schema.other-emails-field": "",
  "ldap.schema.user-pin-field": "",
  "ldap.schema.user-name-search": "",
  "ldap.schema.group-name-field": "cn",
  "ldap.schema.group-member-field": "member",
  "ldap.schema.group-search": "(objectClass=groupOfNames)",
};

export function directorySetting(config: ConfigService, key: string): string {
  const value = config.get(key).trim();
  return value !== "" ? value : (DIRECTORY_DEFAULTS[key] ?? "");
}

export function isYes(text: string): boolean {
  return ["y", "yes", "true", "1"].includes(text.trim().toLowerCase());
}

/** Builds the configured source; faults when none (or an incomplete one) is configured. */
export function configuredSource(config: ConfigService): DirectorySource {
  const get = (key: string) => directorySetting(config, key);
  const type = get("user-source.type").toLowerCase();
  switch (type) {
    case "unix":
      return new UnixSource();
    case "custom": {
      const program = get("user-source.custom-program");
      if (program === "") throw new Invalid("user-source.type is custom but user-source.custom-program is not set.");
      return new CustomProgramSource(program);
    }
    case "file": {
      const users = get("user-source.file.users");
      if (users === "") throw new Invalid("user-source.type is file but user-source.file.users is not set.");
      return new FileSource(users, get("user-source.file.groups"));
    }
    case "ldap": {
      const url = get("ldap.server");
      const baseDns = get("ldap.base-dn").split(";").map((b) => b.trim()).filter((b) => b !== "");
      if (url === "" || baseDns.length === 0) throw new Invalid("user-source.type is ldap but ldap.server or ldap.base-dn is not set.");
      const userNameField = get("ldap.schema.user-name-field");
      return new LdapSource({
        url,
        bindDn: get("ldap.bind-dn"),
        bindPassword: config.get("ldap.bind-password"),
        baseDns,
        userNameField,
        fullNameField: get("ldap.schema.user-full-name-field"),
        emailField: get("ldap.schema.user-email-field"),
        departmentField: get("ldap.schema.user-department-field"),
        officeField: get("ldap.schema.user-office-field"),
        cardField: get("ldap.schema.user-card-id-field"),
        secondCardField: get("ldap.schema.user-second-card-id-field"),
        otherEmailsField: get("ldap.schema.other-emails-field"),
        pinField: get("ldap.schema.user-pin-field"),
        userSearch: get("ldap.schema.user-name-search") || `(${userNameField}={0})`,
        groupNameField: get("ldap.schema.group-name-field"),
        groupMemberField: get("ldap.schema.group-member-field"),
        groupSearch: get("ldap.schema.group-search"),
      });
    }
    case "none":
      throw new Invalid("No user directory is configured: set user-source.type to unix, ldap, custom or file.");
    default:
      throw new Invalid(`user-source.type "${type}" is not one of none, unix, ldap, custom, file.`);
  }
}
