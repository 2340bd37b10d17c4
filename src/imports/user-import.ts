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

export function parseUserLine(text: string): UserRecord {
  const [user, balance, restricted, fullName, email, department, office, card, pin, notes, card2, otherEmails, alias, home] = tabFields(text, 14);
  const writes: Array<[string, string]> = [];
  checkBalance(balance);
  collect(writes, "balance", balance);
  const flag = flagField("Restricted status", restricted);
  if (flag) writes.push(["restricted", flag]);
  collect(writes, "full-name", fullName);
  collect(writes, "email", email);
  collect(writes, "department", department);
  collect(writes, "office", office);
  collect(writes, "primary-card-number", card);
  collect(writes, "notes", notes);
  collect(writes, "secondary-card-number", card2);
  collect(writes, "username-alias", alias);
  collect(writes, "home", home);
  return { username: requireUsername(user), writes, otherEmails: otherEmails.trim() || undefined, pin: pin.trim() || undefined };
}

export function parseInternalUserLine(text: string): UserRecord {
  const [user, password, balance, restricted, fullName, email, department, office, card, pin, notes, card2, home] = tabFields(text, 13);
  const writes: Array<[string, string]> = [];
  checkBalance(balance);
  collect(writes, "balance", balance);
  const flag = flagField("Restricted status", restricted);
  if (flag) writes.push(["restricted", flag]);
  collect(writes, "full-name", fullName);
  collect(writes, "email", email);
  collect(writes, "department", department);
  collect(writes, "office", office);
  collect(writes, "primary-card-number", card);
  collect(writes, "notes", notes);
  collect(writes, "secondary-card-number", card2);
  collect(writes, "home", home);
  return { username: requireUsername(user), writes, password: password === "" ? undefined : password, pin: pin.trim() || undefined };
}

export function parseCardIdLine(text: string): UserRecord {
  const [user, card, pin] = tabFields(text, 3);
  if (card.trim() === "") throw new Invalid("the card/ID number (second field) is empty.");
  return { username: requireUsername(user), writes: [["primary-card-number", card.trim()]], pin: pin.trim() || undefined };
}
