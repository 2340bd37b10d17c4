// Config values: one home for every setting the API's getConfigValue/setConfigValue and the admin
// config editor read and write. Values are cached in memory; with several nodes on one database a timer
// reloads the cache every `refreshMs`, so another node's change is seen here within refreshMs plus the
// time of one reload query (docs/deployment.md).
import type { Database } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import { Invalid } from "../kernel/errors.js";
import { CONFIG_DEFAULTS } from "./defaults.js";
import { selectAllConfig, upsertConfig } from "./queries.js";

export type ConfigValidator = (value: string) => void;

export class ConfigService {
  private values = new Map<string, string>();
  private loadedAt = 0;
  private reloading: Promise<void> | undefined;
  private readonly validators = new Map<string, ConfigValidator>();
  private readonly listeners: Array<(key: string) => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly refreshMs: number,
  ) {}

  async load(): Promise<void> {
    const rows = await selectAllConfig(this.db.kysely);
    const next = new Map<string, string>();
    for (const row of rows) next.set(row.key, row.value);
    const changed = new Set<string>();
    for (const [k, v] of next) if (this.values.get(k) !== v) changed.add(k);
    for (const k of this.values.keys()) if (!next.has(k)) changed.add(k);
    this.values = next;
    this.loadedAt = this.clock.now();
    for (const key of changed) for (const l of this.listeners) l(key);
  }

  /** Starts the periodic reload (when refreshMs > 0). Reads never wait for it. */
  startRefreshing(): void {
    if (this.refreshMs <= 0 || this.timer) return;
    this.timer = setInterval(() => this.reloadInBackground(), this.refreshMs);
    this.timer.unref();
  }

  stopRefreshing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The longest time another node's change may take to be seen here, in ms (0: single node, immediate). */
  get propagationMs(): number {
    return this.refreshMs;
  }

  /** Registers a check that a key's new value must pass before it is stored. */
  validate(key: string, validator: ConfigValidator): void {
    this.validators.set(key, validator);
  }

  onChange(listener: (key: string) => void): void {
    this.listeners.push(listener);
  }

  /** The value of a key: what is stored, else Quire's default, else "". */
  get(key: string): string {
    this.refreshIfStale();
    return this.values.get(key) ?? CONFIG_DEFAULTS[key] ?? "";
  }

  async set(key: string, value: string): Promise<void> {
    const name = key.trim();
    if (name === "") throw new Invalid("A config key name must not be empty.");
    this.validators.get(name)?.(value);
    await this.db.write((trx) => upsertConfig(trx, name, value, this.clock.now()));
    this.values.set(name, value);
    for (const l of this.listeners) l(name);
  }

  /** Every key that has a stored value or a default, sorted. */
  entries(): Array<[string, string]> {
    const keys = new Set([...Object.keys(CONFIG_DEFAULTS), ...this.values.keys()]);
    return [...keys].sort().map((k) => [k, this.get(k)]);
  }

  private refreshIfStale(): void {
    if (this.refreshMs <= 0 || this.reloading) return;
    if (this.clock.now() - this.loadedAt < this.refreshMs) return;
    this.reloadInBackground();
  }

  private reloadInBackground(): void {
    if (this.reloading) return;
    this.reloading = this.load()
      .catch(() => undefined)
      .finally(() => {
        this.reloading = undefined;
      });
  }
}

export function requireNonEmpty(label: string): ConfigValidator {
  return (value) => {
    if (value.trim() === "") throw new Invalid(`${label} must not be empty.`);
  };
}
