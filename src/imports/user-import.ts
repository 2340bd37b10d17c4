// The three user import files (tab-separated, no header, blank field = leave unchanged):
//   batchImportUsers:             username, balance, restricted Y/N, full name, email, department,
//                                 office, primary card, card PIN, notes, secondary card, other emails,
//                                 username alias, home folder
//   batchImportInternalUsers:     username, password, balance, restricted Y/N, full name, email,
//                                 department, office, primary card, card PIN, notes, secondary card, home folder
//   batchImportUserCardIdNumbers: username, card/ID number, card PIN
import { Invalid } from "../kernel/errors.js";
import { parseAmount } from "../kernel/text-values.js";
import { flagField, tabFields } from "./line-import.js";

export interface UserRecord {
  username: string;
  /** Property writes in the users property vocabulary (balance, restricted, full-name, …). */
  writes: Array<[string, string]>;
  otherEmails?: string;
  password?: string;
  pin?: string;
}

function requireUsername(text: string): string {
  const username = text.trim().toLowerCase();
  if (username === "") throw new Invalid("the username (first field) is empty.");
  return username;
}

function collect(writes: Array<[string, string]>, property: string, text: string): void {
  const value = text.trim();
  if (value !== "") writes.push([property, value]);
}

function checkBalance(text: string): void {
  if (text.trim() !== "") parseAmount("the balance", text);
}

/** The columns both user file layouts share, as property writes in file order. */
function personWrites(f: { balance: string; restricted: string; fullName: string; email: string; department: string; office: string; card: string; notes: string; card2: string }): Array<[string, string]> {
  const writes: Array<[string, string]> = [];
  checkBalance(f.balance);
  collect(writes, "balance", f.balance);
  const flag = flagField("Restricted status", f.restricted);
  if (flag) writes.push(["restricted", flag]);
  collect(writes, "full-name", f.fullName);
  collect(writes, "email", f.email);
  collect(writes, "department", f.department);
  collect(writes, "office", f.office);
  collect(writes, "primary-card-number", f.card);
  collect(writes, "notes", f.notes);
  collect(writes, "secondary-card-number", f.card2);
  return writes;
}

export function parseUserLine(text: string): UserRecord {
  const [user, balance, restricted, fullName, email, department, office, card, pin, notes, card2, otherEmails, alias, home] = tabFields(text, 14);
  const writes = personWrites({ balance, restricted, fullName, email, department, office, card, notes, card2 });
  collect(writes, "username-alias", alias);
  collect(writes, "home", home);
  return { username: requireUsername(user), writes, otherEmails: otherEmails.trim() || undefined, pin: pin.trim() || undefined };
}

export function parseInternalUserLine(text: string): UserRecord {
  const [user, password, balance, restricted, fullName, email, department, office, card, pin, notes, card2, home] = tabFields(text, 13);
  const writes = personWrites({ balance, restricted, fullName, email, department, office, card, notes, card2 });
  collect(writes, "home", home);
  return { username: requireUsername(user), writes, password: password === "" ? undefined : password, pin: pin.trim() || undefined };
}

export function parseCardIdLine(text: string): UserRecord {
  const [user, card, pin] = tabFields(text, 3);
  if (card.trim() === "") throw new Invalid("the card/ID number (second field) is empty.");
  return { username: requireUsername(user), writes: [["primary-card-number", card.trim()]], pin: pin.trim() || undefined };
}
