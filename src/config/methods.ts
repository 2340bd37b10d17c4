// API methods for config values.
import { method, returns, string } from "../rpc/method-table.js";

export const configMethods = [
  method("api.getConfigValue", [string("configName")], returns.string, { summary: "Returns the value of a config key; an empty string for an unknown key." }, ({ app }, name) =>
    app.config.get(name.trim()),
  ),
  method(
    "api.setConfigValue",
    [string("configName"), string("configValue")],
    returns.boolean,
    { summary: "Sets or creates a config key. Careless changes can break the installation." },
    async ({ app }, name, value) => {
      await app.config.set(name, value);
      return true;
    },
  ),
];
