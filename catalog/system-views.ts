// pg_catalog and information_schema relations that PostgreSQL itself defines as views, written
// here as SQL over the base catalog relations (system-tables.ts), as PostgreSQL and the
// architecture guide do: one place states what each column means, and the binder does the rest.

export interface SystemView {
  readonly schema: 'pg_catalog' | 'information_schema';
  readonly name: string;
  readonly sql: string;
}

const v = (schema: SystemView['schema'], name: string, sql: string): SystemView => ({ schema, name, sql });

export const SYSTEM_VIEWS: readonly SystemView[] = [
  v('pg_catalog', 'pg_tables', `
    SELECT n.nspname AS schemaname, c.relname AS tablename, pg_get_userbyid(c.relowner) AS tableowner,
           NULL::name AS tablespace, c.relhasindex AS hasindexes, c.relhasrules AS hasrules,
           c.relhastriggers AS hastriggers, c.relrowsecurity AS rowsecurity
    FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p')`),
  v('pg_catalog', 'pg_views', `
    SELECT n.nspname AS schemaname, c.relname AS viewname, pg_get_userbyid(c.relowner) AS viewowner,
           pg_get_viewdef(c.oid) AS definition
    FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'v'`),
  v('pg_catalog', 'pg_matviews', `
    SELECT n.nspname AS schemaname, c.relname AS matviewname, pg_get_userbyid(c.relowner) AS matviewowner,
           NULL::name AS tablespace, c.relhasindex AS hasindexes, c.relispopulated AS ispopulated,
           pg_get_viewdef(c.oid) AS definition
    FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'm'`),
  v('pg_catalog', 'pg_indexes', `
    SELECT n.nspname AS schemaname, c.relname AS tablename, i.relname AS indexname, NULL::name AS tablespace,
           pg_get_indexdef(i.oid) AS indexdef
    FROM pg_catalog.pg_index x
      JOIN pg_catalog.pg_class c ON c.oid = x.indrelid
      JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
      LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'm', 'p') AND i.relkind IN ('i', 'I')`),
  v('pg_catalog', 'pg_roles', `
    SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolconnlimit,
           '********'::text AS rolpassword, rolvaliduntil, rolbypassrls, NULL::text[] AS rolconfig, oid
    FROM pg_catalog.pg_authid`),
  v('pg_catalog', 'pg_user', `
    SELECT rolname AS usename, oid AS usesysid, rolcreatedb AS usecreatedb, rolsuper AS usesuper,
           rolreplication AS userepl, rolbypassrls AS usebypassrls, '********'::text AS passwd,
           rolvaliduntil AS valuntil, NULL::text[] AS useconfig
    FROM pg_catalog.pg_authid WHERE rolcanlogin`),

  v('information_schema', 'schemata', `
    SELECT current_database()::name AS catalog_name, n.nspname AS schema_name,
           pg_get_userbyid(n.nspowner) AS schema_owner, NULL::name AS default_character_set_catalog,
           NULL::name AS default_character_set_schema, NULL::name AS default_character_set_name, NULL::text AS sql_path
    FROM pg_catalog.pg_namespace n`),
  v('information_schema', 'tables', `
    SELECT current_database()::name AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
           CASE WHEN c.relkind IN ('r', 'p') THEN 'BASE TABLE' WHEN c.relkind = 'v' THEN 'VIEW'
                WHEN c.relkind = 'm' THEN 'MATERIALIZED VIEW' END AS table_type,
           NULL::name AS self_referencing_column_name, NULL::text AS reference_generation,
           NULL::name AS user_defined_type_catalog, NULL::name AS user_defined_type_schema,
           NULL::name AS user_defined_type_name,
           CASE WHEN c.relkind IN ('r', 'p') THEN 'YES' ELSE 'NO' END AS is_insertable_into,
           'NO' AS is_typed, NULL::text AS commit_action
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'v', 'm', 'p')`),
  v('information_schema', 'views', `
    SELECT current_database()::name AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
           pg_get_viewdef(c.oid) AS view_definition, 'NONE' AS check_option, 'NO' AS is_updatable,
           'NO' AS is_insertable_into, 'NO' AS is_trigger_updatable, 'NO' AS is_trigger_deletable,
           'NO' AS is_trigger_insertable_into
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'v'`),
  v('information_schema', 'columns', `
    SELECT current_database()::name AS table_catalog, n.nspname AS table_schema, c.relname AS table_name,
           a.attname AS column_name, a.attnum::int AS ordinal_position,
           CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS column_default,
           CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable,
           CASE WHEN t.typcategory = 'A' THEN 'ARRAY' ELSE format_type(a.atttypid, NULL) END AS data_type,
           CASE WHEN a.atttypid IN (1042, 1043) AND a.atttypmod >= 4 THEN a.atttypmod - 4 END AS character_maximum_length,
           CASE WHEN a.atttypid IN (1042, 1043) AND a.atttypmod >= 4 THEN (a.atttypmod - 4) * 4
                WHEN a.atttypid IN (25, 1042, 1043) THEN 1073741824 END AS character_octet_length,
           CASE a.atttypid WHEN 21 THEN 16 WHEN 23 THEN 32 WHEN 20 THEN 64 WHEN 700 THEN 24 WHEN 701 THEN 53
                WHEN 1700 THEN CASE WHEN a.atttypmod >= 4 THEN ((a.atttypmod - 4) >> 16) & 65535 END END AS numeric_precision,
           CASE WHEN a.atttypid IN (20, 21, 23, 700, 701) THEN 2 WHEN a.atttypid = 1700 THEN 10 END AS numeric_precision_radix,
           CASE WHEN a.atttypid IN (20, 21, 23) THEN 0
                WHEN a.atttypid = 1700 AND a.atttypmod >= 4 THEN (a.atttypmod - 4) & 65535 END AS numeric_scale,
           CASE WHEN a.atttypid = 1082 THEN 0 WHEN a.atttypid IN (1083, 1114, 1184, 1186) THEN 6 END AS datetime_precision,
           current_database()::name AS udt_catalog, 'pg_catalog'::name AS udt_schema, t.typname AS udt_name,
           'NO' AS is_identity, CASE WHEN a.attgenerated <> '' THEN 'ALWAYS' ELSE 'NEVER' END AS is_generated,
           CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generation_expression,
           CASE WHEN c.relkind IN ('r', 'p') THEN 'YES' ELSE 'NO' END AS is_updatable
    FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'm', 'p', 'f')`),
  v('information_schema', 'table_constraints', `
    SELECT current_database()::name AS constraint_catalog, n.nspname AS constraint_schema,
           con.conname AS constraint_name, current_database()::name AS table_catalog, n.nspname AS table_schema,
           c.relname AS table_name,
           CASE con.contype WHEN 'p' THEN 'PRIMARY KEY' WHEN 'u' THEN 'UNIQUE' WHEN 'c' THEN 'CHECK'
                WHEN 'f' THEN 'FOREIGN KEY' END AS constraint_type,
           'NO' AS is_deferrable, 'NO' AS initially_deferred,
           CASE WHEN con.contype = 'f' THEN 'NO' ELSE 'YES' END AS enforced, NULL::text AS nulls_distinct
    FROM pg_catalog.pg_constraint con
      JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`),
  v('information_schema', 'key_column_usage', `
    SELECT current_database()::name AS constraint_catalog, n.nspname AS constraint_schema,
           con.conname AS constraint_name, current_database()::name AS table_catalog, n.nspname AS table_schema,
           c.relname AS table_name, a.attname AS column_name, k.n::int AS ordinal_position,
           CASE WHEN con.contype = 'f' THEN k.n::int END AS position_in_unique_constraint
    FROM pg_catalog.pg_constraint con
      JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, n)
      JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
    WHERE con.contype IN ('p', 'u', 'f')`),
  v('information_schema', 'routines', `
    SELECT current_database()::name AS specific_catalog, n.nspname AS specific_schema, (p.proname || '_' || p.oid)::name AS specific_name,
           current_database()::name AS routine_catalog, n.nspname AS routine_schema, p.proname AS routine_name,
           CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END AS routine_type,
           format_type(p.prorettype, NULL) AS data_type, current_database()::name AS type_udt_catalog, 'pg_catalog'::name AS type_udt_schema,
           t.typname AS type_udt_name, 'INTERNAL' AS routine_body, NULL::text AS routine_definition, NULL::text AS external_name,
           'INTERNAL' AS external_language, 'GENERAL' AS parameter_style,
           CASE WHEN p.provolatile = 'i' THEN 'YES' ELSE 'NO' END AS is_deterministic, 'MODIFIES' AS sql_data_access,
           CASE WHEN p.proisstrict THEN 'YES' ELSE 'NO' END AS is_null_call, 'NO' AS is_user_defined_cast, 'NO' AS is_implicitly_invocable,
           'INVOKER' AS security_type
    FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
      LEFT JOIN pg_catalog.pg_type t ON t.oid = p.prorettype`),
  v('information_schema', 'character_sets', `
    SELECT NULL::name AS character_set_catalog, NULL::name AS character_set_schema, 'UTF8'::name AS character_set_name,
           'UCS'::name AS character_repertoire, 'UTF8'::name AS form_of_use, current_database()::name AS default_collate_catalog,
           'pg_catalog'::name AS default_collate_schema, 'C'::name AS default_collate_name`),
  v('information_schema', 'referential_constraints', `
    SELECT current_database()::name AS constraint_catalog, n.nspname AS constraint_schema, con.conname AS constraint_name,
           current_database()::name AS unique_constraint_catalog, un.nspname AS unique_constraint_schema, uc.conname AS unique_constraint_name,
           'NONE' AS match_option,
           CASE con.confupdtype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS update_rule,
           CASE con.confdeltype WHEN 'c' THEN 'CASCADE' WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' WHEN 'r' THEN 'RESTRICT' ELSE 'NO ACTION' END AS delete_rule
    FROM pg_catalog.pg_constraint con
      JOIN pg_catalog.pg_namespace n ON n.oid = con.connamespace
      LEFT JOIN pg_catalog.pg_constraint uc ON uc.conindid = con.conindid AND uc.contype IN ('p', 'u') AND uc.conrelid = con.confrelid
      LEFT JOIN pg_catalog.pg_namespace un ON un.oid = uc.connamespace
    WHERE con.contype = 'f'`),
  v('information_schema', 'constraint_column_usage', `
    SELECT current_database()::name AS table_catalog, n.nspname AS table_schema, c.relname AS table_name, a.attname AS column_name,
           current_database()::name AS constraint_catalog, cn.nspname AS constraint_schema, con.conname AS constraint_name
    FROM pg_catalog.pg_constraint con
      JOIN pg_catalog.pg_namespace cn ON cn.oid = con.connamespace
      CROSS JOIN LATERAL unnest(CASE WHEN con.contype = 'f' THEN con.confkey ELSE con.conkey END) AS k(attnum)
      JOIN pg_catalog.pg_class c ON c.oid = CASE WHEN con.contype = 'f' THEN con.confrelid ELSE con.conrelid END
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
    WHERE con.contype IN ('p', 'u', 'f')`),
];
