// Which API methods change state, and how a call is described in the audit log with its secrets masked.
import { formatMoney } from "../kernel/money.js";
import type { MethodDefinition, Param } from "./method-table.js";

/** The default rule: methods named get…, is…, list… or lookUp… only read; every other method changes state. */
export function isStateChangingName(name: string): boolean {
  const bare = name.replace(/^api\./, "");
  return !/^(get|is|list|lookUp)/.test(bare);
}

const SECRET_NAME = /password|pin|token|secret/i;
const MASK = "••••";

function showValue(param: Param, value: unknown): string {
  if (value === undefined) return "";
  if (param.kind === "money") return formatMoney(value as number);
  if (param.kind === "strings") return (value as string[]).join(",");
  return String(value);
}

/** The call's target (its first argument when that is a name) and the other arguments as `name=value`, secrets masked. */
export function describeCall(def: MethodDefinition, args: readonly unknown[]): { target: string; detail: string } {
  const parts: string[] = [];
  let target = "";
  // A value is secret when its own parameter says so, or when the name it is paired with does
  // (setUserProperty(user, "password", v), setConfigValue("auth.webservices.auth-token", v)).
  let pairedNameIsSecret = false;
  def.params.forEach((param, i) => {
    const value = args[i];
    if (value === undefined) return;
    if (i === 0 && param.kind === "string") {
      target = String(value);
      pairedNameIsSecret = SECRET_NAME.test(target);
      return;
    }
    if (param.kind === "pairs") {
      const shown = (value as Array<[string, string]>).map(([name, v]) => `${name}=${SECRET_NAME.test(name) ? MASK : v}`);
      parts.push(`${param.name}=[${shown.join(", ")}]`);
      return;
    }
    const secret = SECRET_NAME.test(param.name) || (/value/i.test(param.name) && pairedNameIsSecret);
    parts.push(`${param.name}=${secret ? MASK : showValue(param, value)}`);
    if (/name$/i.test(param.name) && param.kind === "string") pairedNameIsSecret = SECRET_NAME.test(String(value));
  });
  return { target, detail: parts.join(", ") };
}
