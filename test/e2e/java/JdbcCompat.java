// pgjdbc against a server, for comparison with PostgreSQL: prepared statements with the common
// types in both directions (setObject / getObject and getString), ResultSetMetaData (type names,
// SQL types, precision, scale, nullability, auto-increment, classes), DatabaseMetaData
// (getTypeInfo, getFunctions, getPrimaryKeys, getImportedKeys, getExportedKeys, getIndexInfo,
// getColumns with sizes), and a cursor read with a fetch size (autocommit off: portal
// suspension). Prints "STEP <name>" and one line per row.
import java.math.BigDecimal;
import java.sql.*;
import java.time.*;
import java.util.*;

public class JdbcCompat {
    static void step(String name, List<String> rows) {
        System.out.println("STEP " + name);
        for (String r : rows) System.out.println("  " + r);
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "eddy");
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + args[0] + "/eddy", props)) {
            try (Statement st = c.createStatement()) {
                for (String s : new String[] {
                    "DROP TABLE IF EXISTS jc_line", "DROP TABLE IF EXISTS jc_all",
                    "CREATE TABLE jc_all (id bigserial PRIMARY KEY, i2 smallint, i4 integer NOT NULL, i8 bigint, f4 real, f8 double precision, n numeric(12,3), n0 numeric, b boolean, t text, vc varchar(20), ch char(4), d date, tm time, ts timestamp, tstz timestamptz, iv interval, u uuid, j json, jb jsonb, by bytea, ai integer[], at text[])",
                    "CREATE TABLE jc_line (id int PRIMARY KEY, all_id bigint REFERENCES jc_all (id) ON DELETE CASCADE, qty int)",
                    "CREATE UNIQUE INDEX jc_line_qty ON jc_line (qty, id)",
                }) st.execute(s);
            }
            // every common type written through parameters and read back
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jc_all (i2, i4, i8, f4, f8, n, n0, b, t, vc, ch, d, tm, ts, tstz, iv, u, j, jb, by, ai, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::interval, ?::uuid, ?::json, ?::jsonb, ?, ?, ?)")) {
                ps.setShort(1, (short) -7); ps.setInt(2, 2147483647); ps.setLong(3, -9007199254740993L); ps.setFloat(4, 1.5f); ps.setDouble(5, 0.1);
                ps.setBigDecimal(6, new BigDecimal("123456789.125")); ps.setBigDecimal(7, new BigDecimal("-0.000000000001")); ps.setBoolean(8, true);
                ps.setString(9, "quote ' and \\ and émoji 😀"); ps.setString(10, "short"); ps.setString(11, "ab");
                ps.setObject(12, LocalDate.of(2024, 2, 29)); ps.setObject(13, LocalTime.of(23, 59, 58, 123456000));
                ps.setObject(14, LocalDateTime.of(1999, 12, 31, 23, 59, 59, 999999000)); ps.setObject(15, OffsetDateTime.of(2024, 6, 1, 12, 0, 0, 0, ZoneOffset.ofHours(2)));
                ps.setString(16, "1 year 2 mons 3 days 04:05:06.5"); ps.setString(17, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
                ps.setString(18, "{\"a\": [1, 2]}"); ps.setString(19, "{\"b\": {\"c\": null}, \"a\": 1}");
                ps.setBytes(20, new byte[] {0, 1, (byte) 0xfe, (byte) 0xff});
                ps.setArray(21, c.createArrayOf("int4", new Integer[] {3, null, 5}));
                ps.setArray(22, c.createArrayOf("text", new String[] {"x", "y z", "\"q\""}));
                ps.executeUpdate();
                ps.setNull(1, Types.SMALLINT); ps.setInt(2, 0); for (int i = 3; i <= 22; i++) ps.setNull(i, Types.OTHER);
                ps.setNull(3, Types.BIGINT); ps.setNull(6, Types.NUMERIC); ps.setNull(8, Types.BOOLEAN); ps.setNull(9, Types.VARCHAR); ps.setNull(12, Types.DATE);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM jc_all WHERE i4 >= ? ORDER BY id"); ) {
                ps.setInt(1, 0);
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    List<String> meta = new ArrayList<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        meta.add(md.getColumnName(i) + "|" + md.getColumnTypeName(i) + "|" + md.getColumnType(i) + "|" + md.getPrecision(i) + "|" + md.getScale(i) + "|"
                            + md.isNullable(i) + "|" + md.isAutoIncrement(i) + "|" + md.getColumnClassName(i) + "|" + md.getTableName(i) + "|" + md.isSigned(i) + "|" + md.getColumnDisplaySize(i));
                    }
                    step("result-metadata", meta);
                    List<String> rows = new ArrayList<>();
                    while (rs.next()) {
                        StringBuilder sb = new StringBuilder();
                        for (int i = 2; i <= md.getColumnCount(); i++) {
                            Object o = rs.getObject(i);
                            sb.append(o == null ? "null" : o.getClass().getSimpleName() + ":" + (o instanceof byte[] ? Arrays.toString((byte[]) o) : o instanceof Array ? Arrays.deepToString((Object[]) ((Array) o).getArray()) : rs.getString(i))).append(" | ");
                        }
                        rows.add(sb.toString());
                        rows.add("typed: " + rs.getObject("d", LocalDate.class) + " " + rs.getObject("tm", LocalTime.class) + " " + rs.getObject("ts", LocalDateTime.class) + " " + rs.getObject("tstz", OffsetDateTime.class)
                            + " " + rs.getTimestamp("ts") + " " + rs.getBigDecimal("n") + " " + rs.getLong("i8") + " " + rs.getBoolean("b"));
                    }
                    step("values", rows);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT ?::int + 1 AS a, ? || 'x' AS b, ?::numeric * 2 AS c, ?::date + 1 AS d, ?::timestamptz AS e")) {
                ps.setInt(1, 41); ps.setString(2, "y"); ps.setBigDecimal(3, new BigDecimal("1.25")); ps.setObject(4, LocalDate.of(2024, 12, 31)); ps.setObject(5, OffsetDateTime.parse("2024-03-10T01:30:00-05:00"));
                ParameterMetaData pm = ps.getParameterMetaData();
                List<String> params = new ArrayList<>();
                for (int i = 1; i <= pm.getParameterCount(); i++) params.add(pm.getParameterTypeName(i) + "|" + pm.getParameterType(i));
                step("parameter-metadata", params);
                try (ResultSet rs = ps.executeQuery()) { rs.next(); step("expressions", List.of(rs.getInt(1) + " " + rs.getString(2) + " " + rs.getBigDecimal(3) + " " + rs.getObject(4, LocalDate.class) + " " + rs.getObject(5, OffsetDateTime.class).toInstant())); }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jc_line VALUES (?, ?, ?)")) {
                for (int i = 1; i <= 250; i++) { ps.setInt(1, i); ps.setLong(2, 1 + i % 2); ps.setInt(3, i * 3); ps.addBatch(); }
                int[] counts = ps.executeBatch();
                step("batch", List.of(String.valueOf(counts.length)));
            }
            DatabaseMetaData md = c.getMetaData();
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = md.getTypeInfo()) {
                Set<String> common = Set.of("int2", "int4", "int8", "float4", "float8", "numeric", "bool", "text", "varchar", "bpchar", "date", "time", "timestamp", "timestamptz", "interval", "uuid", "json", "jsonb", "bytea", "_int4", "_text", "oid");
                while (rs.next()) if (common.contains(rs.getString("TYPE_NAME"))) rows.add(rs.getString("TYPE_NAME") + "|" + rs.getInt("DATA_TYPE") + "|" + rs.getInt("PRECISION") + "|" + rs.getString("LITERAL_PREFIX") + "|" + rs.getShort("NULLABLE") + "|" + rs.getBoolean("CASE_SENSITIVE") + "|" + rs.getShort("SEARCHABLE") + "|" + rs.getBoolean("UNSIGNED_ATTRIBUTE") + "|" + rs.getBoolean("AUTO_INCREMENT"));
            }
            Collections.sort(rows);
            step("type-info", rows);
            rows = new ArrayList<>();
            for (String f : new String[] {"lower", "date_trunc", "now", "coalesce_missing"}) {
                try (ResultSet rs = md.getFunctions(null, "pg_catalog", f)) { int n = 0; while (rs.next()) n++; rows.add(f + " " + (n > 0)); }
            }
            step("functions", rows);
            for (String t : new String[] {"jc_all", "jc_line"}) {
                rows = new ArrayList<>();
                try (ResultSet rs = md.getColumns(null, "public", t, "%")) {
                    while (rs.next()) rows.add(rs.getString("COLUMN_NAME") + "|" + rs.getString("TYPE_NAME") + "|" + rs.getInt("DATA_TYPE") + "|" + rs.getInt("COLUMN_SIZE") + "|" + rs.getInt("DECIMAL_DIGITS") + "|" + rs.getInt("NULLABLE") + "|" + rs.getString("IS_NULLABLE") + "|" + rs.getString("IS_AUTOINCREMENT") + "|" + rs.getString("COLUMN_DEF"));
                }
                step("columns-" + t, rows);
                rows = new ArrayList<>();
                try (ResultSet rs = md.getPrimaryKeys(null, "public", t)) { while (rs.next()) rows.add(rs.getString("COLUMN_NAME") + "|" + rs.getShort("KEY_SEQ") + "|" + rs.getString("PK_NAME")); }
                step("pk-" + t, rows);
                rows = new ArrayList<>();
                try (ResultSet rs = md.getImportedKeys(null, "public", t)) { while (rs.next()) rows.add(rs.getString("PKTABLE_NAME") + "." + rs.getString("PKCOLUMN_NAME") + "<-" + rs.getString("FKTABLE_NAME") + "." + rs.getString("FKCOLUMN_NAME") + "|" + rs.getShort("UPDATE_RULE") + "|" + rs.getShort("DELETE_RULE") + "|" + rs.getString("FK_NAME") + "|" + rs.getString("PK_NAME")); }
                step("imported-" + t, rows);
                rows = new ArrayList<>();
                try (ResultSet rs = md.getExportedKeys(null, "public", t)) { while (rs.next()) rows.add(rs.getString("FKTABLE_NAME") + "." + rs.getString("FKCOLUMN_NAME") + "|" + rs.getString("FK_NAME")); }
                step("exported-" + t, rows);
                rows = new ArrayList<>();
                try (ResultSet rs = md.getIndexInfo(null, "public", t, false, false)) { while (rs.next()) rows.add(rs.getString("INDEX_NAME") + "|" + rs.getBoolean("NON_UNIQUE") + "|" + rs.getShort("ORDINAL_POSITION") + "|" + rs.getString("COLUMN_NAME") + "|" + rs.getString("ASC_OR_DESC")); }
                Collections.sort(rows);
                step("indexes-" + t, rows);
            }
            // a cursor: autocommit off and a fetch size make pgjdbc read the portal in pieces
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, qty FROM jc_line ORDER BY id")) {
                ps.setFetchSize(40);
                long sum = 0; int n = 0;
                try (ResultSet rs = ps.executeQuery()) { while (rs.next()) { sum += rs.getInt(2); n++; } }
                step("cursor", List.of(n + " " + sum));
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement st = c.createStatement()) { st.execute("DROP TABLE jc_line"); st.execute("DROP TABLE jc_all"); }
            step("done", List.of());
        }
    }
}
