// Small helpers so one migration text serves both SQLite and PostgreSQL.
import { sql, type ColumnDataType, type ColumnDefinitionBuilder } from "kysely";

export interface MigrationContext {
  dialect: "sqlite" | "postgres";
}

/** An auto-increment primary key: INTEGER PRIMARY KEY AUTOINCREMENT on SQLite, BIGSERIAL on PostgreSQL. */
export function idColumn(ctx: MigrationContext): [ColumnDataType, (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  if (ctx.dialect === "postgres") return ["bigserial", (c) => c.primaryKey()];
  return ["integer", (c) => c.primaryKey().autoIncrement()];
}

/**
 * A text column that sorts by code point on both databases: SQLite's default BINARY collation, and
 * PostgreSQL's "C" collation (a locale collation would order names differently from SQLite).
 */
export function nameText(ctx: MigrationContext, notNull = true) {
  return (c: ColumnDefinitionBuilder): ColumnDefinitionBuilder => {
    const withCollation = ctx.dialect === "postgres" ? c.modifyFront(sql`collate "C"`) : c;
    return notNull ? withCollation.notNull() : withCollation;
  };
}
