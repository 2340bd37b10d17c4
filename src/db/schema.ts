// Table types for Kysely. Amounts are integers of micros; times are milliseconds since the epoch;
// flags are 0/1 integers so both databases share one code path.
import type { Generated } from "kysely";

export type Flag = 0 | 1;

export interface ConfigTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface SecretTable {
  name: string;
  value: string;
}

export interface UserTable {
  id: Generated<number>;
  username: string;
  created_at: number;
  deleted_at: Generated<number | null>;
  source: Generated<string>;
  full_name: Generated<string>;
  email: Generated<string>;
  department: Generated<string>;
  office: Generated<string>;
  notes: Generated<string>;
  primary_card: Generated<string | null>;
  secondary_card: Generated<string | null>;
  card_pin_hash: Generated<string | null>;
  password_hash: Generated<string | null>;
  internal: Generated<Flag>;
  unauthenticated: Generated<Flag>;
  disabled_print: Generated<Flag>;
  disabled_print_until: Generated<number | null>;
  disabled_net: Generated<Flag>;
  home: Generated<string>;
  username_alias: Generated<string | null>;
  job_count: Generated<number>;
  page_count: Generated<number>;
  net_data_mb: Generated<number>;
  net_time_hours: Generated<number>;
  dont_hold_jobs: Generated<Flag>;
  dont_apply_filters: Generated<Flag>;
  cost_adjustment_percent: Generated<number | null>;
  dont_archive: Generated<Flag>;
  auto_release_jobs: Generated<Flag>;
  delegated_users: Generated<string>;
  delegated_groups: Generated<string>;
  other_emails: Generated<string>;
  account_selection_mode: Generated<string>;
  can_charge_personal: Generated<Flag>;
  can_charge_shared_from_list: Generated<Flag>;
  can_charge_shared_by_pin: Generated<Flag>;
  can_print_as_other_user: Generated<Flag>;
  charge_personal_when_shared: Generated<Flag>;
  auto_shared_account: Generated<string>;
  default_shared_account: Generated<string>;
  counts_reset_by: Generated<string | null>;
  counts_reset_at: Generated<number | null>;
}

export interface AccountTable {
  id: Generated<number>;
  account_type: "personal" | "shared";
  user_id: Generated<number | null>;
  sub_name: Generated<string>;
  name: Generated<string>;
  parent_id: Generated<number | null>;
  balance: Generated<number>;
  restricted: Generated<Flag>;
  overdraft_mode: Generated<"default" | "individual">;
  overdraft_amount: Generated<number>;
  disabled: Generated<Flag>;
  disabled_until: Generated<number | null>;
  pin: Generated<string>;
  notes: Generated<string>;
  comment_option: Generated<string>;
  invoice_option: Generated<string>;
  created_at: number;
  deleted_at: Generated<number | null>;
}

export interface LedgerTable {
  id: Generated<number>;
  account_id: number;
  amount: number;
  balance_after: number;
  kind: string;
  comment: Generated<string>;
  created_by: Generated<string>;
  created_at: number;
  job_id: Generated<number | null>;
}

export interface GroupTable {
  id: Generated<number>;
  name: string;
  created_at: number;
  quota_amount: Generated<number>;
  quota_period: Generated<string>;
  quota_custom_dates: Generated<string>;
  quota_max_accumulation: Generated<number>;
  quota_set_at: Generated<number>;
  initial_settings_enabled: Generated<Flag>;
  initial_balance: Generated<number>;
  initial_restricted: Generated<Flag>;
  initial_overdraft: Generated<number>;
  initial_account_selection_mode: Generated<string>;
  initial_can_charge_personal: Generated<Flag>;
  initial_can_charge_shared_from_list: Generated<Flag>;
  initial_can_charge_shared_by_pin: Generated<Flag>;
}

export interface GroupMemberTable {
  group_id: number;
  user_id: number;
}

export interface TaskStatusTable {
  /** Always 1: PaperCut has one server-wide task slot. */
  slot: number;
  name: string;
  completed: Flag;
  message: Generated<string>;
  owner: Generated<string>;
  started_at: number;
  heartbeat_at: number;
}

export interface CardTable {
  card_number: string;
  batch_id: string;
  value: number;
  value_display: Generated<string>;
  /** Last valid day, yyyy-MM-dd (server local time). */
  expires_on: string;
  expires_display: Generated<string>;
  imported_at: number;
  used_at: Generated<number | null>;
  used_by: Generated<string | null>;
}

export interface AuditTable {
  id: Generated<number>;
  created_at: number;
  /** "api" for XML-RPC calls, "web" for the admin interface. */
  source: string;
  /** The token's application name for API calls; the signed-in admin for the web. */
  actor: string;
  address: Generated<string>;
  action: string;
  target: Generated<string>;
  detail: Generated<string>;
}

export interface DB {
  config: ConfigTable;
  secret: SecretTable;
  users: UserTable;
  accounts: AccountTable;
  ledger: LedgerTable;
  groups: GroupTable;
  group_members: GroupMemberTable;
  shared_account_access_users: SharedAccountAccessUserTable;
  shared_account_access_groups: SharedAccountAccessGroupTable;
  quota_allocations: QuotaAllocationTable;
  admin_access_users: AdminAccessUserTable;
  admin_access_groups: AdminAccessGroupTable;
  printers: PrinterTable;
  printer_groups: PrinterGroupTable;
  printer_access_groups: PrinterGroupTable;
  jobs: JobTable;
  task_status: TaskStatusTable;
  cards: CardTable;
  audit: AuditTable;
  /** SQLite only (migration 0007): version numbers bumped by triggers, for caches. */
  list_versions: ListVersionTable;
}

export interface ListVersionTable {
  name: string;
  version: number;
}

export interface SharedAccountAccessUserTable {
  account_id: number;
  user_id: number;
}

export interface SharedAccountAccessGroupTable {
  account_id: number;
  group_id: number;
}

export interface QuotaAllocationTable {
  group_id: number;
  run_key: string;
  allocated_at: number;
  members: Generated<number>;
}

export interface AdminAccessUserTable {
  user_id: number;
  created_at: number;
}

export interface AdminAccessGroupTable {
  group_id: number;
  created_at: number;
}

// --- printers and the job log (migration 0003) ---

/** Job and page counters of shared accounts (declaration merging keeps the columns with their migration). */
export interface AccountTable {
  job_count: Generated<number>;
  page_count: Generated<number>;
}

export interface PrinterTable {
  id: Generated<number>;
  server_name: string;
  printer_name: string;
  display_name: string;
  created_at: number;
  deleted_at: Generated<number | null>;
  disabled: Generated<Flag>;
  disabled_until: Generated<number | null>;
  cost_model: Generated<string>;
  cost_per_page: Generated<number>;
  /** JSON object of `advanced-config.*` keys (without the prefix) to their text values. */
  advanced_config: Generated<string>;
  virtual: Generated<Flag>;
  device_functions: Generated<string>;
  custom_field_1: Generated<string>;
  custom_field_2: Generated<string>;
  custom_field_3: Generated<string>;
  custom_field_4: Generated<string>;
  custom_field_5: Generated<string>;
  custom_field_6: Generated<string>;
  job_count: Generated<number>;
  page_count: Generated<number>;
  counts_reset_by: Generated<string | null>;
  counts_reset_at: Generated<number | null>;
}

export interface PrinterGroupTable {
  printer_id: number;
  group_name: string;
}

export interface JobTable {
  id: Generated<number>;
  created_at: number;
  printed_at: number;
  user_id: number;
  username: string;
  printer_id: number;
  server_name: string;
  printer_name: string;
  account_id: number | null;
  shared_account_id: number | null;
  shared_account_name: Generated<string>;
  status: "CHARGED" | "DENIED";
  denied_reason: Generated<string>;
  cost: number;
  cost_given: Generated<Flag>;
  charged: Generated<number>;
  total_pages: number;
  color_pages: number;
  copies: number;
  duplex: Flag;
  grayscale: Flag;
  job_type: string;
  invoice: Flag;
  document_size_kb: number;
  document_name: Generated<string>;
  paper_size_name: Generated<string>;
  paper_width_mm: Generated<string>;
  paper_height_mm: Generated<string>;
  comment: Generated<string>;
  client_machine: Generated<string>;
  client_ip: Generated<string>;
  created_by: Generated<string>;

}
