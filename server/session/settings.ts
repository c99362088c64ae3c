// Session settings (GUCs): defaults, SET/SHOW/RESET semantics, and which ones are reported to
// the client with ParameterStatus.
import { SqlError, SqlState } from '../../core/errors.js';
import type { ValueSettings } from '../../core/values/settings.js';
import { SERVER_VERSION } from '../../planner/session-functions.js';

interface SettingDef { readonly value: string; readonly report?: boolean; readonly readOnly?: boolean; readonly canonical: string }

const DEFS: Record<string, SettingDef> = {};
function def(name: string, value: string, opts: { report?: boolean; readOnly?: boolean } = {}): void {
  DEFS[name.toLowerCase()] = { value, canonical: name, ...opts };
}
def('server_version', SERVER_VERSION, { report: true, readOnly: true });
def('server_version_num', '150000', { readOnly: true });
def('server_encoding', 'UTF8', { report: true, readOnly: true });
def('client_encoding', 'UTF8', { report: true });
def('DateStyle', 'ISO, MDY', { report: true });
def('TimeZone', 'UTC', { report: true });
def('IntervalStyle', 'postgres', { report: true });
def('integer_datetimes', 'on', { report: true, readOnly: true });
def('standard_conforming_strings', 'on', { report: true });
def('application_name', '', { report: true });
def('is_superuser', 'on', { report: true, readOnly: true });
def('session_authorization', 'eddy', { report: true, readOnly: true });
def('search_path', '"$user", public');
def('extra_float_digits', '1');
def('statement_timeout', '0');
def('lock_timeout', '0');
def('idle_in_transaction_session_timeout', '0');
def('bytea_output', 'hex');
def('transaction_isolation', 'read committed');
def('default_transaction_isolation', 'read committed');
def('transaction_read_only', 'off');
def('default_transaction_read_only', 'off');
def('max_identifier_length', '63', { readOnly: true });
def('max_index_keys', '32', { readOnly: true });
def('max_function_args', '100', { readOnly: true });
def('max_connections', '1000', { readOnly: true });
def('lc_collate', 'C', { readOnly: true });
def('lc_ctype', 'C', { readOnly: true });
def('lc_messages', 'C');
def('lc_monetary', 'C');
def('lc_numeric', 'C');
def('lc_time', 'C');
def('client_min_messages', 'notice');
def('block_size', '8192', { readOnly: true });
def('wal_level', 'logical', { readOnly: true });
def('synchronous_commit', 'on');
// 'strong': a query reading a materialized view first waits until views reflect every commit made
// before it (read your writes); 'eventual': read what the views hold now
def('view_consistency', 'strong');
def('enable_seqscan', 'on');
def('work_mem', '4MB');
def('maintenance_work_mem', '64MB');
def('default_text_search_config', 'pg_catalog.simple');
def('row_security', 'on');
def('check_function_bodies', 'on');
def('xmloption', 'content');
def('timezone_abbreviations', 'Default');
def('jit', 'off');
def('cursor_tuple_fraction', '0.1');
def('join_collapse_limit', '8');
def('geqo', 'on');
def('ssl', 'off', { readOnly: true });
def('port', '5432', { readOnly: true });
def('listen_addresses', 'localhost', { readOnly: true });
def('data_directory', '', { readOnly: true });
def('eddy.wait_for_views', 'on');
// RisingWave's: after each DML statement, wait until its changes are visible in every view
// (Eddy applies table writes synchronously, so this only matters once views are maintained)
def('rw_implicit_flush', 'off');

export class Settings {
  private readonly values = new Map<string, string>();
  private cachedValueSettings: ValueSettings | null = null;

  constructor(startup: Readonly<Record<string, string>>) {
    for (const [k, v] of Object.entries(startup)) {
      const key = k.toLowerCase();
      if (key === 'user' || key === 'database' || key === 'replication' || key === 'options') continue;
      if (DEFS[key] && !DEFS[key]!.readOnly) this.values.set(key, normalize(key, v));
    }
    if (startup['user']) this.values.set('session_authorization', startup['user']);
  }

  get(name: string): string {
    const key = name.toLowerCase();
    const v = this.values.get(key);
    if (v !== undefined) return v;
    const d = DEFS[key];
    if (d) return d.value;
    if (key.includes('.')) return '';
    throw new SqlError(SqlState.UndefinedObject, `unrecognized configuration parameter "${name}"`);
  }

  /** Returns the ParameterStatus to report, if any. */
  set(name: string, value: string | null): [string, string] | null {
    const key = name.toLowerCase();
    const d = DEFS[key];
    if (!d && !key.includes('.')) throw new SqlError(SqlState.UndefinedObject, `unrecognized configuration parameter "${name}"`);
    if (d?.readOnly) throw new SqlError('55P02', `parameter "${name}" cannot be changed`);
    if (value === null) this.values.delete(key);
    else this.values.set(key, normalize(key, value));
    this.cachedValueSettings = null;
    return d?.report ? [d.canonical, this.get(key)] : null;
  }

  /** the name SHOW prints as its column: the parameter's own spelling (TimeZone, DateStyle) */
  canonicalName(name: string): string {
    return DEFS[name.toLowerCase()]?.canonical ?? name.toLowerCase();
  }

  reported(): [string, string][] {
    return Object.entries(DEFS).filter(([, d]) => d.report).map(([k, d]) => [d.canonical, this.get(k)]);
  }

  all(): { name: string; setting: string }[] {
    return Object.entries(DEFS).map(([k, d]) => ({ name: d.canonical.toLowerCase() === k ? k : k, setting: this.get(k) }));
  }

  searchPath(user: string): string[] {
    return this.get('search_path').split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1')).map((s) => (s === '$user' ? user : s))
      .filter((s) => s.length > 0).concat(['pg_catalog']);
  }

  valueSettings(): ValueSettings {
    this.cachedValueSettings ??= {
      timeZone: this.get('TimeZone'),
      dateStyle: this.get('DateStyle'),
      intervalStyle: this.get('IntervalStyle'),
      extraFloatDigits: Number(this.get('extra_float_digits')),
      byteaOutput: this.get('bytea_output'),
    };
    return this.cachedValueSettings;
  }
}

function normalize(key: string, v: string): string {
  if (key === 'datestyle') {
    const parts = v.split(',').map((p) => p.trim().toUpperCase());
    const style = parts.find((p) => ['ISO', 'SQL', 'POSTGRES', 'GERMAN'].includes(p)) ?? 'ISO';
    const order = parts.find((p) => ['MDY', 'DMY', 'YMD', 'US', 'EUROPEAN', 'NONEURO', 'EURO'].includes(p)) ?? 'MDY';
    const o = order === 'US' || order === 'NONEURO' ? 'MDY' : order === 'EUROPEAN' || order === 'EURO' ? 'DMY' : order;
    return `${style === 'POSTGRES' ? 'Postgres' : style === 'GERMAN' ? 'German' : style}, ${o}`;
  }
  if (key === 'timezone' && /^utc$/i.test(v)) return 'UTC';
  if (key === 'client_encoding' && /^utf-?8$/i.test(v)) return 'UTF8';
  return v;
}
