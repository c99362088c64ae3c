// JDBC client check (pgjdbc). Prints "OK <step>" per passed step; any failure throws and exits non-zero.
// Usage: java -cp postgresql.jar:. EddyJdbcTest <port>
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Properties;

public class EddyJdbcTest {
    static String version(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT version()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static void check(boolean cond, String what) {
        if (!cond) throw new AssertionError("check failed: " + what);
    }

    public static void main(String[] args) throws Exception {
        String port = args.length > 0 ? args[0] : "5432";
        Properties props = new Properties();
        props.setProperty("user", "eddy");
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/eddy";
        try (Connection conn = DriverManager.getConnection(url, props)) {
            System.out.println("OK connect " + conn.getMetaData().getDatabaseProductVersion());

            try (Statement st = conn.createStatement()) {
                st.execute("DROP TABLE IF EXISTS jdbc_t");
                st.execute("CREATE TABLE jdbc_t (id int PRIMARY KEY, big bigint, name text, amount numeric(12,3), at timestamp, flag boolean)");
            }
            System.out.println("OK create");

            Timestamp ts = Timestamp.valueOf("2024-03-04 05:06:07.123");
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jdbc_t VALUES (?, ?, ?, ?, ?, ?)")) {
                for (int i = 1; i <= 10; i++) {
                    ps.setInt(1, i);
                    ps.setLong(2, 10_000_000_000L + i);
                    ps.setString(3, "name " + i + " 'quoted' ü");
                    ps.setBigDecimal(4, new BigDecimal("1234.5").add(BigDecimal.valueOf(i)));
                    ps.setTimestamp(5, ts);
                    ps.setBoolean(6, i % 2 == 0);
                    check(ps.executeUpdate() == 1, "insert row count");
                }
                // NULLs of every type
                ps.setInt(1, 11);
                ps.setNull(2, java.sql.Types.BIGINT);
                ps.setNull(3, java.sql.Types.VARCHAR);
                ps.setNull(4, java.sql.Types.NUMERIC);
                ps.setNull(5, java.sql.Types.TIMESTAMP);
                ps.setNull(6, java.sql.Types.BOOLEAN);
                ps.executeUpdate();
            }
            System.out.println("OK prepared-insert");

            // batches go through the extended protocol in one round trip
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO jdbc_t (id, name) VALUES (?, ?)")) {
                for (int i = 100; i < 200; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "batch" + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                check(counts.length == 100, "batch length");
            }
            System.out.println("OK batch");

            try (PreparedStatement ps = conn.prepareStatement("SELECT id, big, name, amount, at, flag FROM jdbc_t WHERE id = ?")) {
                ps.setInt(1, 4);
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next(), "row 4 exists");
                    check(rs.getInt("id") == 4, "getInt");
                    check(rs.getLong("big") == 10_000_000_004L, "getLong");
                    check(rs.getString("name").equals("name 4 'quoted' ü"), "getString " + rs.getString("name"));
                    check(rs.getBigDecimal("amount").compareTo(new BigDecimal("1238.5")) == 0, "getBigDecimal " + rs.getBigDecimal("amount"));
                    check(rs.getBigDecimal("amount").scale() == 3, "numeric scale");
                    check(rs.getTimestamp("at").equals(ts), "getTimestamp " + rs.getTimestamp("at"));
                    check(rs.getBoolean("flag"), "getBoolean");
                    check(!rs.next(), "one row");
                }
                ps.setInt(1, 11);
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next(), "row 11 exists");
                    rs.getLong("big");
                    check(rs.wasNull(), "NULL bigint");
                    check(rs.getString("name") == null, "NULL text");
                    check(rs.getTimestamp("at") == null, "NULL timestamp");
                }
                // Executing the same PreparedStatement 5+ times makes pgjdbc switch to a named server-side statement.
                for (int k = 0; k < 8; k++) {
                    ps.setInt(1, 1 + k % 3);
                    try (ResultSet rs = ps.executeQuery()) {
                        check(rs.next() && rs.getInt(1) == 1 + k % 3, "reused statement " + k);
                    }
                }
            }
            System.out.println("OK prepared-select");

            try (PreparedStatement ps = conn.prepareStatement("SELECT count(*) FROM jdbc_t WHERE big > ? AND flag = ? AND amount < ? AND at = ?")) {
                ps.setLong(1, 10_000_000_002L);
                ps.setBoolean(2, true);
                ps.setBigDecimal(3, new BigDecimal("1300"));
                ps.setTimestamp(4, ts);
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next(), "count row");
                    check(rs.getLong(1) == 4, "filtered count " + rs.getLong(1));
                }
            }
            System.out.println("OK parameters");

            try (Statement st = conn.createStatement()) {
                st.executeUpdate("UPDATE jdbc_t SET name = 'x' WHERE id = 1");
                try (ResultSet rs = st.executeQuery("SELECT name FROM jdbc_t WHERE id = 1")) {
                    check(rs.next() && rs.getString(1).equals("x"), "update visible");
                }
            }
            System.out.println("OK update");

            try {
                try (Statement st = conn.createStatement()) {
                    st.executeUpdate("INSERT INTO jdbc_t (id) VALUES (1)");
                }
                throw new AssertionError("duplicate insert succeeded");
            } catch (SQLException e) {
                check("23505".equals(e.getSQLState()), "SQLState 23505, got " + e.getSQLState());
            }
            System.out.println("OK error-sqlstate");

            DatabaseMetaData md = conn.getMetaData();
            boolean found = false;
            try (ResultSet rs = md.getTables(null, "public", "jdbc_t", new String[] {"TABLE"})) {
                while (rs.next()) if (rs.getString("TABLE_NAME").equals("jdbc_t")) found = true;
            }
            check(found, "getTables finds jdbc_t");
            System.out.println("OK metadata-tables");

            StringBuilder cols = new StringBuilder();
            try (ResultSet rs = md.getColumns(null, "public", "jdbc_t", null)) {
                while (rs.next()) cols.append(rs.getString("COLUMN_NAME")).append(':').append(rs.getString("TYPE_NAME")).append(',');
            }
            check(cols.toString().equals("id:int4,big:int8,name:text,amount:numeric,at:timestamp,flag:bool,"), "getColumns " + cols);
            System.out.println("OK metadata-columns");

            // getPrimaryKeys runs only when asked for (second argument), so that a gap there is
            // reported by its own test instead of hiding every later step.
            if (args.length > 1 && args[1].equals("primary-keys")) {
                try (ResultSet rs = md.getPrimaryKeys(null, "public", "jdbc_t")) {
                    check(rs.next(), "a primary key");
                    check(rs.getString("COLUMN_NAME").equals("id"), "pk column " + rs.getString("COLUMN_NAME"));
                    check(!rs.next(), "single pk column");
                }
                System.out.println("OK metadata-primary-keys");
                return;
            }

            // Cursor-based fetching: autocommit off + fetch size => portal with row limit, PortalSuspended.
            conn.setAutoCommit(false);
            try (Statement st = conn.createStatement()) {
                st.setFetchSize(7);
                int n = 0;
                long sum = 0;
                try (ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 1000) AS g")) {
                    while (rs.next()) {
                        n++;
                        sum += rs.getInt(1);
                    }
                }
                check(n == 1000 && sum == 500500, "fetch size rows " + n + " sum " + sum);
            }
            conn.commit();
            System.out.println("OK fetch-size");

            // transactions: rollback hides writes
            try (Statement st = conn.createStatement()) {
                st.executeUpdate("DELETE FROM jdbc_t");
                conn.rollback();
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM jdbc_t")) {
                    check(rs.next() && rs.getLong(1) == 111, "rollback kept rows, count " + rs.getLong(1));
                }
                conn.commit();
            }
            conn.setAutoCommit(true);
            System.out.println("OK transactions");

            // SUBSCRIBE through a cursor (Eddy only): the snapshot, then another connection's change
            if (version(conn).contains("Eddy")) {
                conn.setAutoCommit(false);
                try (Statement st = conn.createStatement(); Connection other = DriverManager.getConnection(url, props)) {
                    st.execute("DECLARE jsub CURSOR FOR SUBSCRIBE (SELECT id FROM jdbc_t WHERE id = 1)");
                    try (ResultSet rs = st.executeQuery("FETCH ALL jsub")) {
                        check(rs.getMetaData().getColumnName(1).equals("eddy_timestamp") && rs.getMetaData().getColumnName(2).equals("eddy_diff"), "subscribe columns");
                        check(rs.next() && rs.getLong(2) == 1 && rs.getInt(3) == 1 && !rs.next(), "subscribe snapshot");
                    }
                    try (Statement o = other.createStatement()) { o.executeUpdate("DELETE FROM jdbc_t WHERE id = 1"); }
                    try (ResultSet rs = st.executeQuery("FETCH 10 jsub WITH (timeout = '5s')")) {
                        check(rs.next() && rs.getLong(2) == -1 && rs.getInt(3) == 1 && !rs.next(), "subscribe change");
                    }
                    conn.commit();
                }
                conn.setAutoCommit(true);
                System.out.println("OK subscribe");
            }

            try (Statement st = conn.createStatement()) {
                st.execute("DROP TABLE jdbc_t");
            }
            System.out.println("OK done");
        }
    }
}
