// What Metabase's PostgreSQL driver does to a database, through the same JDBC driver (pgjdbc):
// the connection test, the session statements of every pool checkout, sync (schemas, tables with
// row estimates, fields, enums, foreign keys, privileges, probes, fingerprints, field values) and
// the SQL shapes its query processor generates (browse, count, aggregates by category, date
// breakouts, parameter filters, LOWER LIKE, binning, time zones, nested queries). The statements
// are written here after Metabase's query shapes. Prints "STEP <name>" then one line per row;
// the test runs it against Eddy and PostgreSQL and compares.
import java.math.BigDecimal;
import java.sql.*;
import java.util.*;

public class MetabaseSim {
    static final String REMARK = "-- Metabase:: userID: 1 queryType: MBQL queryHash: 5e1f0c\n";

    static void print(String step, ResultSet rs, boolean sort, Set<String> skip) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        List<String> rows = new ArrayList<>();
        StringBuilder head = new StringBuilder();
        for (int i = 1; i <= md.getColumnCount(); i++) if (!skip.contains(md.getColumnLabel(i).toLowerCase())) head.append(md.getColumnLabel(i)).append(':').append(md.getColumnTypeName(i)).append(' ');
        while (rs.next()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                if (skip.contains(md.getColumnLabel(i).toLowerCase())) continue;
                sb.append(rs.getString(i)).append('|');
            }
            rows.add(sb.toString());
        }
        if (sort) Collections.sort(rows);
        System.out.println("STEP " + step + " " + head.toString().trim());
        for (String r : rows) System.out.println("  " + r);
    }

    static void query(Connection c, String step, String sql, boolean sort, Object... params) throws SQLException {
        query(c, step, sql, sort, Set.of(), params);
    }

    static void query(Connection c, String step, String sql, boolean sort, Set<String> skip, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) ps.setObject(i + 1, params[i]);
            try (ResultSet rs = ps.executeQuery()) { print(step, rs, sort, skip); }
        }
    }

    public static void main(String[] args) throws Exception {
        String port = args[0];
        Properties props = new Properties();
        props.setProperty("user", "eddy");
        props.setProperty("ApplicationName", "Metabase v0.50.0 [eddy-test]");
        props.setProperty("OpenSourceSubProtocolOverride", "true");
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/eddy";
        try (Connection c = DriverManager.getConnection(url, props)) {
            // data both servers hold
            try (Statement st = c.createStatement()) {
                for (String s : new String[] {
                    "DROP MATERIALIZED VIEW IF EXISTS mb_sales", "DROP TABLE IF EXISTS mb_orders", "DROP TABLE IF EXISTS mb_products",
                    "CREATE TABLE mb_products (id serial PRIMARY KEY, title text NOT NULL, category varchar(40), price numeric(10,2), rating double precision, created_at timestamp, meta jsonb)",
                    "CREATE TABLE mb_orders (id int PRIMARY KEY, product_id int REFERENCES mb_products (id), user_id int, total numeric(10,2), quantity int, created_at timestamptz, day date)",
                    "CREATE INDEX mb_orders_user ON mb_orders (user_id)",
                    "COMMENT ON TABLE mb_products IS 'Things we sell'", "COMMENT ON COLUMN mb_products.price IS 'list price, EUR'",
                    "INSERT INTO mb_products (title, category, price, rating, created_at, meta) SELECT 'Product ' || g || CASE WHEN g % 4 = 0 THEN ' Deluxe' ELSE '' END, (ARRAY['Gizmo','Widget','Gadget','Doohickey'])[1 + g % 4], (g * 7.25) % 100, (g % 5) + 0.5, TIMESTAMP '2024-01-01 08:00:00' + (g * INTERVAL '37 hours'), jsonb_build_object('g', g) FROM generate_series(1, 40) g",
                    "INSERT INTO mb_orders SELECT g, 1 + g % 40, 1 + g % 9, (g * 13.5) % 250, 1 + g % 3, TIMESTAMPTZ '2024-02-01 00:00:00+00' + (g * INTERVAL '11 hours'), DATE '2024-02-01' + (g % 60) FROM generate_series(1, 300) g",
                    "CREATE MATERIALIZED VIEW mb_sales AS SELECT p.category, count(*) AS n, sum(o.total) AS revenue FROM mb_orders o JOIN mb_products p ON p.id = o.product_id GROUP BY p.category",
                    "REFRESH MATERIALIZED VIEW mb_sales",
                }) st.execute(s);
            }
            // connection test and pool checkout
            query(c, "can-connect", "SELECT 1", false);
            System.out.println("STEP is-valid " + c.isValid(5));
            try (Statement st = c.createStatement()) { st.execute("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ UNCOMMITTED"); }
            System.out.println("STEP product-version " + (c.getMetaData().getDatabaseMajorVersion() >= 9));
            // sync
            query(c, "timezone", "show timezone;", false);
            DatabaseMetaData md = c.getMetaData();
            try (ResultSet rs = md.getSchemas()) {
                List<String> names = new ArrayList<>();
                while (rs.next()) { String s = rs.getString("TABLE_SCHEM"); if (s.equals("public") || s.equals("pg_catalog") || s.equals("information_schema")) names.add(s); }
                System.out.println("STEP schemas " + names);
            }
            query(c, "tables",
                "SELECT \"n\".\"nspname\" AS \"schema\", \"c\".\"relname\" AS \"name\", CASE \"c\".\"relkind\" WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'PARTITIONED TABLE' WHEN 'v' THEN 'VIEW' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE NULL END AS \"type\", "
                + "\"d\".\"description\" AS \"description\", \"stat\".\"n_live_tup\" IS NULL AS \"no_estimate\" "
                + "FROM \"pg_catalog\".\"pg_class\" AS \"c\" INNER JOIN \"pg_catalog\".\"pg_namespace\" AS \"n\" ON \"c\".\"relnamespace\" = \"n\".\"oid\" "
                + "LEFT JOIN \"pg_catalog\".\"pg_description\" AS \"d\" ON (\"c\".\"oid\" = \"d\".\"objoid\") AND (\"d\".\"objsubid\" = ?) AND (\"d\".\"classoid\" = 'pg_class'::regclass) "
                + "LEFT JOIN \"pg_stat_user_tables\" AS \"stat\" ON (\"n\".\"nspname\" = \"stat\".\"schemaname\") AND (\"c\".\"relname\" = \"stat\".\"relname\") "
                + "WHERE (\"c\".\"relnamespace\" = \"n\".\"oid\") AND (\"n\".\"nspname\" !~ ?) AND (\"n\".\"nspname\" <> ?) AND c.relkind in ('r', 'p', 'v', 'f', 'm') AND (\"n\".\"nspname\" IN (?)) AND \"c\".\"relname\" LIKE 'mb\\_%' "
                + "ORDER BY \"type\" ASC, \"schema\" ASC, \"name\" ASC", false, 0, "^pg_", "information_schema", "public");
            query(c, "fields",
                "SELECT \"c\".\"column_name\" AS \"name\", CASE WHEN \"c\".\"udt_schema\" IN ('public', 'pg_catalog') THEN FORMAT('%s', \"c\".\"udt_name\") ELSE FORMAT('\"%s\".\"%s\"', \"c\".\"udt_schema\", \"c\".\"udt_name\") END AS \"database-type\", "
                + "\"c\".\"ordinal_position\" - 1 AS \"database-position\", \"c\".\"table_schema\" AS \"table-schema\", \"c\".\"table_name\" AS \"table-name\", \"pk\".\"column_name\" IS NOT NULL AS \"pk?\", "
                + "COL_DESCRIPTION(CAST(CAST(FORMAT('%I.%I', CAST(\"c\".\"table_schema\" AS TEXT), CAST(\"c\".\"table_name\" AS TEXT)) AS REGCLASS) AS OID), \"c\".\"ordinal_position\") AS \"field-comment\", "
                + "((\"column_default\" IS NULL) OR (LOWER(\"column_default\") = 'null')) AND (\"is_nullable\" = 'NO') AND NOT (((\"column_default\" IS NOT NULL) AND (\"column_default\" LIKE '%nextval(%')) OR (\"is_identity\" <> 'NO')) AS \"database-required\", "
                + "((\"column_default\" IS NOT NULL) AND (\"column_default\" LIKE '%nextval(%')) OR (\"is_identity\" <> 'NO') AS \"database-is-auto-increment\" "
                + "FROM \"information_schema\".\"columns\" AS \"c\" LEFT JOIN (SELECT \"tc\".\"table_schema\", \"tc\".\"table_name\", \"kc\".\"column_name\" FROM \"information_schema\".\"table_constraints\" AS \"tc\" "
                + "INNER JOIN \"information_schema\".\"key_column_usage\" AS \"kc\" ON (\"tc\".\"constraint_name\" = \"kc\".\"constraint_name\") AND (\"tc\".\"table_schema\" = \"kc\".\"table_schema\") AND (\"tc\".\"table_name\" = \"kc\".\"table_name\") "
                + "WHERE \"tc\".\"constraint_type\" = 'PRIMARY KEY') AS \"pk\" ON (\"c\".\"table_schema\" = \"pk\".\"table_schema\") AND (\"c\".\"table_name\" = \"pk\".\"table_name\") AND (\"c\".\"column_name\" = \"pk\".\"column_name\") "
                + "WHERE c.table_schema !~ '^information_schema|catalog_history|pg_' AND (\"c\".\"table_schema\" IN (?)) AND (\"c\".\"table_name\" IN (?, ?)) "
                + "UNION ALL SELECT \"pa\".\"attname\" AS \"name\", CASE WHEN \"ptn\".\"nspname\" IN ('public', 'pg_catalog') THEN FORMAT('%s', \"pt\".\"typname\") ELSE FORMAT('\"%s\".\"%s\"', \"ptn\".\"nspname\", \"pt\".\"typname\") END AS \"database-type\", "
                + "\"pa\".\"attnum\" - 1 AS \"database-position\", \"pn\".\"nspname\" AS \"table-schema\", \"pc\".\"relname\" AS \"table-name\", FALSE AS \"pk?\", NULL AS \"field-comment\", FALSE AS \"database-required\", FALSE AS \"database-is-auto-increment\" "
                + "FROM \"pg_catalog\".\"pg_class\" AS \"pc\" INNER JOIN \"pg_catalog\".\"pg_namespace\" AS \"pn\" ON \"pn\".\"oid\" = \"pc\".\"relnamespace\" INNER JOIN \"pg_catalog\".\"pg_attribute\" AS \"pa\" ON \"pa\".\"attrelid\" = \"pc\".\"oid\" "
                + "INNER JOIN \"pg_catalog\".\"pg_type\" AS \"pt\" ON \"pt\".\"oid\" = \"pa\".\"atttypid\" INNER JOIN \"pg_catalog\".\"pg_namespace\" AS \"ptn\" ON \"ptn\".\"oid\" = \"pt\".\"typnamespace\" "
                + "WHERE (\"pc\".\"relkind\" = 'm') AND (\"pa\".\"attnum\" >= 1) AND (\"pn\".\"nspname\" IN (?)) AND (\"pc\".\"relname\" IN (?)) "
                + "ORDER BY \"table-schema\" ASC, \"table-name\" ASC, \"database-position\" ASC", false, "public", "mb_products", "mb_orders", "public", "mb_sales");
            query(c, "enums", "SELECT nspname, typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.oid IN (SELECT DISTINCT enumtypid FROM pg_enum e)", true);
            query(c, "fks",
                "SELECT \"fk_ns\".\"nspname\" AS \"fk-table-schema\", \"fk_table\".\"relname\" AS \"fk-table-name\", \"fk_column\".\"attname\" AS \"fk-column-name\", \"pk_ns\".\"nspname\" AS \"pk-table-schema\", \"pk_table\".\"relname\" AS \"pk-table-name\", \"pk_column\".\"attname\" AS \"pk-column-name\" "
                + "FROM \"pg_constraint\" AS \"c\" INNER JOIN \"pg_class\" AS \"fk_table\" ON \"c\".\"conrelid\" = \"fk_table\".\"oid\" INNER JOIN \"pg_namespace\" AS \"fk_ns\" ON \"c\".\"connamespace\" = \"fk_ns\".\"oid\" "
                + "INNER JOIN \"pg_attribute\" AS \"fk_column\" ON \"c\".\"conrelid\" = \"fk_column\".\"attrelid\" INNER JOIN \"pg_class\" AS \"pk_table\" ON \"c\".\"confrelid\" = \"pk_table\".\"oid\" "
                + "INNER JOIN \"pg_namespace\" AS \"pk_ns\" ON \"pk_table\".\"relnamespace\" = \"pk_ns\".\"oid\" INNER JOIN \"pg_attribute\" AS \"pk_column\" ON \"c\".\"confrelid\" = \"pk_column\".\"attrelid\" "
                + "WHERE fk_ns.nspname !~ '^information_schema|catalog_history|pg_' AND (\"c\".\"contype\" = 'f'::char) AND (\"fk_column\".\"attnum\" = ANY(c.conkey)) AND (\"pk_column\".\"attnum\" = ANY(c.confkey)) "
                + "AND (\"fk_table\".\"relname\" IN (?, ?)) AND (\"fk_ns\".\"nspname\" IN (?)) ORDER BY \"fk-table-schema\" ASC, \"fk-table-name\" ASC", false, "mb_products", "mb_orders", "public");
            query(c, "privileges",
                "with table_privileges as (\n select\n   NULL as role,\n   t.schemaname as schema,\n   t.objectname as table,\n"
                + "   pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'update') as update,\n"
                + "   pg_catalog.has_any_column_privilege(current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'select') as select,\n"
                + "   pg_catalog.has_table_privilege(current_user, '\"' || t.schemaname || '\"' || '.' || '\"' || t.objectname || '\"',  'insert') as insert,\n"
                + "   pg_catalog.has_table_privilege(     current_user, '\"' || replace(t.schemaname, '\"', '\"\"') || '\"' || '.' || '\"' || replace(t.objectname, '\"', '\"\"') || '\"',  'delete') as delete\n"
                + " from (\n   select schemaname, tablename as objectname from pg_catalog.pg_tables\n   union\n   select schemaname, viewname as objectname from pg_catalog.pg_views\n   union\n   select schemaname, matviewname as objectname from pg_catalog.pg_matviews\n ) t\n"
                + " where t.schemaname !~ '^pg_'\n   and t.schemaname <> 'information_schema'\n   and pg_catalog.has_schema_privilege(current_user, t.schemaname, 'usage')\n)\nselect t.*\nfrom table_privileges t where t.table like 'mb\\_%'", true);
            // the JDBC metadata calls older Metabase versions sync with
            String[] types = {"TABLE", "PARTITIONED TABLE", "VIEW", "FOREIGN TABLE", "MATERIALIZED VIEW", "EXTERNAL TABLE", "DYNAMIC_TABLE"};
            try (ResultSet rs = md.getTables(null, "public", "mb%", types)) { print("jdbc-tables", rs, true, Set.of("table_cat", "remarks", "type_cat", "type_schem", "type_name", "self_referencing_col_name", "ref_generation")); }
            for (String t : new String[] {"mb_products", "mb_orders"}) {
                try (ResultSet rs = md.getColumns(null, "public", t, null)) {
                    List<String> rows = new ArrayList<>();
                    while (rs.next()) rows.add(rs.getString("COLUMN_NAME") + "|" + rs.getString("TYPE_NAME") + "|" + rs.getInt("DATA_TYPE") + "|" + rs.getInt("NULLABLE") + "|" + rs.getString("IS_AUTOINCREMENT") + "|" + rs.getInt("ORDINAL_POSITION") + "|" + rs.getString("COLUMN_DEF") + "|" + rs.getInt("DECIMAL_DIGITS"));
                    System.out.println("STEP jdbc-columns-" + t);
                    for (String r : rows) System.out.println("  " + r);
                }
                try (ResultSet rs = md.getPrimaryKeys(null, "public", t)) { print("jdbc-pk-" + t, rs, true, Set.of("table_cat")); }
                try (ResultSet rs = md.getImportedKeys(null, "public", t)) { print("jdbc-fk-" + t, rs, true, Set.of("pktable_cat", "fktable_cat")); }
                try (ResultSet rs = md.getIndexInfo(null, "public", t, false, false)) {
                    List<String> rows = new ArrayList<>();
                    while (rs.next()) rows.add(rs.getString("INDEX_NAME") + "|" + rs.getString("COLUMN_NAME") + "|" + rs.getInt("ORDINAL_POSITION") + "|" + rs.getBoolean("NON_UNIQUE") + "|" + rs.getString("FILTER_CONDITION"));
                    Collections.sort(rows);
                    System.out.println("STEP jdbc-index-" + t);
                    for (String r : rows) System.out.println("  " + r);
                }
            }
            query(c, "probe", "SELECT TRUE AS \"_\" FROM \"public\".\"mb_orders\" WHERE 1 <> 1 LIMIT 0", false);
            query(c, "fingerprint", REMARK + "SELECT \"public\".\"mb_products\".\"id\" AS \"id\", SUBSTRING(\"public\".\"mb_products\".\"title\", 1, 1234) AS \"substring1234\", \"public\".\"mb_products\".\"price\" AS \"price\", \"public\".\"mb_products\".\"created_at\" AS \"created_at\", \"public\".\"mb_products\".\"meta\" AS \"meta\" FROM \"public\".\"mb_products\" LIMIT 10000", true);
            query(c, "field-values", REMARK + "SELECT \"public\".\"mb_products\".\"category\" AS \"category\" FROM \"public\".\"mb_products\" GROUP BY \"public\".\"mb_products\".\"category\" ORDER BY \"public\".\"mb_products\".\"category\" ASC LIMIT 1000", false);
            // the query processor
            try (Statement st = c.createStatement()) { st.setMaxRows(2000); try (ResultSet rs = st.executeQuery(REMARK + "SELECT \"public\".\"mb_orders\".\"id\" AS \"id\", \"public\".\"mb_orders\".\"user_id\" AS \"user_id\", \"public\".\"mb_orders\".\"total\" AS \"total\", \"public\".\"mb_orders\".\"created_at\" AS \"created_at\", \"public\".\"mb_orders\".\"day\" AS \"day\" FROM \"public\".\"mb_orders\" LIMIT 2000")) { print("browse", rs, true, Set.of()); } }
            query(c, "count", REMARK + "SELECT COUNT(*) AS \"count\" FROM \"public\".\"mb_orders\"", false);
            query(c, "sum-avg-by-category", REMARK + "SELECT \"public\".\"mb_products\".\"category\" AS \"category\", SUM(\"public\".\"mb_products\".\"price\") AS \"sum\", AVG(\"public\".\"mb_products\".\"rating\") AS \"avg\", count(distinct \"public\".\"mb_products\".\"id\") AS \"count\" FROM \"public\".\"mb_products\" GROUP BY \"public\".\"mb_products\".\"category\" ORDER BY \"public\".\"mb_products\".\"category\" ASC", false);
            String ts = "\"public\".\"mb_products\".\"created_at\"";
            String tz = "\"public\".\"mb_orders\".\"created_at\"";
            String[][] buckets = {
                {"day-old", "CAST(" + ts + " AS date)"},
                {"day", "CAST(CAST(" + ts + " AS date) AS timestamp)"},
                {"week", "(DATE_TRUNC('week', (" + ts + " + INTERVAL '1 day')) + INTERVAL '-1 day')"},
                {"week-cast", "(CAST(DATE_TRUNC('week', (" + ts + " + INTERVAL '1 day')) AS TIMESTAMP) + INTERVAL '-1 day')"},
                {"month", "DATE_TRUNC('month', " + ts + ")"},
                {"quarter", "DATE_TRUNC('quarter', " + ts + ")"},
                {"year", "DATE_TRUNC('year', " + ts + ")"},
                {"hour-of-day", "CAST(extract(hour from " + ts + ") AS integer)"},
                {"day-of-week", "CASE WHEN ((CAST(extract(dow from " + ts + ") AS integer) + 1) + 1) % 7 = 0 THEN 7 ELSE ((CAST(extract(dow from " + ts + ") AS integer) + 1) + 1) % 7 END"},
            };
            for (String[] b : buckets) {
                query(c, "breakout-" + b[0], REMARK + "SELECT " + b[1] + " AS \"created_at\", COUNT(*) AS \"count\" FROM \"public\".\"mb_products\" GROUP BY " + b[1] + " ORDER BY " + b[1] + " ASC", false);
            }
            query(c, "breakout-tz-day", REMARK + "SELECT CAST(CAST(" + tz + " AS date) AS timestamptz) AS \"created_at\", SUM(\"public\".\"mb_orders\".\"total\") AS \"sum\" FROM \"public\".\"mb_orders\" GROUP BY CAST(CAST(" + tz + " AS date) AS timestamptz) ORDER BY CAST(CAST(" + tz + " AS date) AS timestamptz) ASC", false);
            query(c, "breakout-date-week", REMARK + "SELECT CAST((CAST(DATE_TRUNC('week', (\"public\".\"mb_orders\".\"day\" + INTERVAL '1 day')) AS date) + INTERVAL '-1 day') AS date) AS \"day\", COUNT(*) AS \"count\" FROM \"public\".\"mb_orders\" GROUP BY 1 ORDER BY 1 ASC", false);
            query(c, "filter-string", REMARK + "SELECT COUNT(*) AS \"count\" FROM \"public\".\"mb_products\" WHERE \"public\".\"mb_products\".\"category\" = ?", false, "Widget");
            query(c, "filter-not", REMARK + "SELECT COUNT(*) AS \"count\" FROM \"public\".\"mb_products\" WHERE (\"public\".\"mb_products\".\"category\" <> ?) OR (\"public\".\"mb_products\".\"category\" IS NULL)", false, "Widget");
            query(c, "filter-between", REMARK + "SELECT COUNT(*) AS \"count\" FROM \"public\".\"mb_orders\" WHERE \"public\".\"mb_orders\".\"total\" BETWEEN 10 AND 20", false);
            query(c, "filter-date-range", REMARK + "SELECT COUNT(*) AS \"count\" FROM \"public\".\"mb_products\" WHERE (" + ts + " >= ?) AND (" + ts + " < ?)", false,
                java.time.LocalDateTime.of(2024, 1, 10, 0, 0), java.time.LocalDateTime.of(2024, 1, 20, 0, 0));
            query(c, "filter-tz-range", REMARK + "SELECT COUNT(*) AS \"count\" FROM \"public\".\"mb_orders\" WHERE (" + tz + " >= ?) AND (" + tz + " < ?)", false,
                java.time.OffsetDateTime.parse("2024-02-03T00:00:00Z"), java.time.OffsetDateTime.parse("2024-02-10T00:00:00Z"));
            query(c, "filter-relative", REMARK + "SELECT COUNT(*) AS \"count\" FROM \"public\".\"mb_orders\" WHERE (" + tz + " >= CAST(CAST((NOW() + INTERVAL '-30 day') AS date) AS timestamp)) AND (" + tz + " < CAST(CAST(NOW() AS date) AS timestamp))", false);
            query(c, "filter-like", REMARK + "SELECT \"public\".\"mb_products\".\"id\" AS \"id\" FROM \"public\".\"mb_products\" WHERE LOWER(\"public\".\"mb_products\".\"title\") LIKE ? ORDER BY \"public\".\"mb_products\".\"id\" ASC", false, "%deluxe%");
            query(c, "filter-starts", REMARK + "SELECT COUNT(*) AS \"count\" FROM \"public\".\"mb_products\" WHERE \"public\".\"mb_products\".\"title\" LIKE ?", false, "Product 1%");
            query(c, "binning", REMARK + "SELECT FLOOR((\"public\".\"mb_orders\".\"total\" / 20.0)) * 20.0 AS \"total\", COUNT(*) AS \"count\" FROM \"public\".\"mb_orders\" GROUP BY FLOOR((\"public\".\"mb_orders\".\"total\" / 20.0)) * 20.0 ORDER BY FLOOR((\"public\".\"mb_orders\".\"total\" / 20.0)) * 20.0 ASC", false);
            query(c, "binning-min", REMARK + "SELECT (FLOOR(((\"public\".\"mb_products\".\"price\" - 10.0) / 20.0)) * 20.0) + 10.0 AS \"price\", COUNT(*) AS \"count\" FROM \"public\".\"mb_products\" GROUP BY 1 ORDER BY 1 ASC", false);
            query(c, "nested", REMARK + "SELECT \"source\".\"category\" AS \"category\", SUM(\"source\".\"revenue\") AS \"sum\" FROM (SELECT \"public\".\"mb_products\".\"category\" AS \"category\", \"public\".\"mb_orders\".\"total\" * \"public\".\"mb_orders\".\"quantity\" AS \"revenue\" FROM \"public\".\"mb_orders\" LEFT JOIN \"public\".\"mb_products\" ON \"public\".\"mb_orders\".\"product_id\" = \"public\".\"mb_products\".\"id\") AS \"source\" GROUP BY \"source\".\"category\" ORDER BY \"source\".\"category\" ASC", false);
            query(c, "with", REMARK + "WITH \"big\" AS (SELECT * FROM \"public\".\"mb_orders\" WHERE \"public\".\"mb_orders\".\"total\" > 100) SELECT \"big\".\"user_id\", COUNT(*) AS \"count\", MIN(\"big\".\"total\") AS \"min\", MAX(\"big\".\"total\") AS \"max\" FROM \"big\" GROUP BY \"big\".\"user_id\" ORDER BY \"big\".\"user_id\" ASC", false);
            query(c, "matview", REMARK + "SELECT \"public\".\"mb_sales\".\"category\" AS \"category\", \"public\".\"mb_sales\".\"n\" AS \"n\", \"public\".\"mb_sales\".\"revenue\" AS \"revenue\" FROM \"public\".\"mb_sales\" ORDER BY 1", false);
            query(c, "division", REMARK + "SELECT \"public\".\"mb_products\".\"category\" AS \"category\", CAST(SUM(\"public\".\"mb_products\".\"price\") AS float) / CASE WHEN COUNT(*) = 0 THEN NULL ELSE COUNT(*) END AS \"ratio\" FROM \"public\".\"mb_products\" GROUP BY 1 ORDER BY 1", false);
            query(c, "percentile", REMARK + "SELECT PERCENTILE_CONT(0.5) within group (order by \"public\".\"mb_orders\".\"total\") AS \"median\", STDDEV_POP(\"public\".\"mb_orders\".\"quantity\") AS \"sd\" FROM \"public\".\"mb_orders\"", false);
            query(c, "convert-timezone", REMARK + "SELECT TIMEZONE(?, \"public\".\"mb_orders\".\"created_at\") AS \"local\", TIMEZONE(?, TIMEZONE(?, " + ts.replace("mb_products", "mb_orders") + "::timestamp)) AS \"shifted\" FROM \"public\".\"mb_orders\" ORDER BY \"public\".\"mb_orders\".\"id\" ASC LIMIT 5", false, "Asia/Tokyo", "America/New_York", "UTC");
            try (PreparedStatement ps = c.prepareStatement(REMARK + "SELECT COUNT(*) AS \"count\" FROM \"public\".\"mb_products\" WHERE \"public\".\"mb_products\".\"price\" > ? AND \"public\".\"mb_products\".\"title\" LIKE ?")) {
                ParameterMetaData pm = ps.getParameterMetaData();
                System.out.println("STEP parameter-types " + pm.getParameterTypeName(1) + " " + pm.getParameterTypeName(2));
                ps.setBigDecimal(1, new BigDecimal("50"));
                ps.setString(2, "%u%");
                try (ResultSet rs = ps.executeQuery()) { print("parameters", rs, false, Set.of()); }
            }
            // the report time zone, set before each query
            try (Statement st = c.createStatement()) { st.execute("SET SESSION TIMEZONE TO 'America/New_York';"); }
            query(c, "report-timezone", REMARK + "SELECT DATE_TRUNC('day', " + tz + ") AS \"created_at\", COUNT(*) AS \"count\" FROM \"public\".\"mb_orders\" GROUP BY 1 ORDER BY 1 ASC LIMIT 10", false);
            query(c, "timezone-after", "show timezone;", false);
            try (Statement st = c.createStatement()) { st.execute("DROP MATERIALIZED VIEW mb_sales"); st.execute("DROP TABLE mb_orders"); st.execute("DROP TABLE mb_products"); }
            System.out.println("STEP done");
        }
    }
}
