// Online backup: a background task that writes a consistent, timestamped snapshot of every table into
// DATA_DIR/backups while the server keeps serving.
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import type { TaskRunner } from "../tasks/service.js";
import { writeBackupFile } from "./backup-file.js";

/** export-YYYY-MM-DDTHH-MM-SS.zip in server local time, as PaperCut names its exports. */
export function backupFileName(ms: number, suffix = 0): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  const stamp = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}-${p(d.getMinutes())}-${p(d.getSeconds())}`;
  return `export-${stamp}${suffix > 0 ? `-${suffix}` : ""}.zip`;
}

export class BackupService {
  constructor(
    private readonly db: Database,
    private readonly tasks: TaskRunner,
    private readonly clock: Clock,
    private readonly dataDir: string,
    private readonly appVersion: string,
  ) {}

  get backupDir(): string {
    return join(this.dataDir, "backups");
  }

  /** Starts the backup task; returns once it has started. */
  async performOnlineBackup(): Promise<void> {
    await this.tasks.start("online backup", "Online backup started.", async () => {
      const file = await this.backupNow();
      return `Backup complete: ${file.path} (${file.tables} tables, ${file.rows} rows).`;
    });
  }

  /** Writes one backup now (also used by the weekly schedule and the CLI); returns where and how much. */
  async backupNow(): Promise<{ path: string; tables: number; rows: number }> {
    mkdirSync(this.backupDir, { recursive: true, mode: 0o700 });
    const now = this.clock.now();
    let path = join(this.backupDir, backupFileName(now));
    for (let i = 1; existsSync(path) && i < 100; i++) path = join(this.backupDir, backupFileName(now, i));
    const manifest = await writeBackupFile(this.db, path, { appVersion: this.appVersion, createdAt: now });
    return { path, tables: manifest.tables.length, rows: manifest.tables.reduce((n, t) => n + t.rows, 0) };
  }

  /** The backup files in the backups folder, newest first. */
  listBackups(): Array<{ name: string; bytes: number; modifiedAt: number }> {
    if (!existsSync(this.backupDir)) return [];
    return readdirSync(this.backupDir)
      .filter((name) => name.endsWith(".zip"))
      .map((name) => {
        const s = statSync(join(this.backupDir, name));
        return { name, bytes: s.size, modifiedAt: s.mtimeMs };
      })
      .sort((a, b) => b.modifiedAt - a.modifiedAt || b.name.localeCompare(a.name));
  }
}
