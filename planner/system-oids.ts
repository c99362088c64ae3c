// PostgreSQL's fixed OIDs of system catalogs, so 'pg_class'::regclass and classoid columns match.
const OIDS: Record<string, number> = {
  pg_type: 1247, pg_attribute: 1249, pg_proc: 1255, pg_class: 1259, pg_authid: 1260, pg_database: 1262,
  pg_namespace: 2615, pg_constraint: 2606, pg_index: 2610, pg_description: 2609, pg_attrdef: 2604,
  pg_am: 2601, pg_inherits: 2611, pg_trigger: 2620, pg_rewrite: 2618, pg_depend: 2608, pg_collation: 3456,
  pg_tablespace: 1213, pg_shdescription: 2396, pg_extension: 3079, pg_sequence: 2224, pg_roles: 12001,
  pg_settings: 12002, pg_tables: 12003, pg_views: 12004, pg_indexes: 12005, pg_stat_activity: 12006, pg_user: 12007,
};

/** The OID of a system relation: PostgreSQL's where it has a fixed one, else a stable one derived from the name. */
export function systemTableOid(schema: string | null, name: string, exists: boolean): number | undefined {
  if ((schema === null || schema === 'pg_catalog') && OIDS[name] !== undefined) return OIDS[name];
  if (!exists) return undefined;
  let h = 0;
  for (const ch of `${schema ?? 'pg_catalog'}.${name}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return 13000 + (h % 3000);
}
