// Metabase through pgjdbc (Debian's libpostgresql-jdbc-java, the driver Metabase bundles): the
// connection test, the pool-checkout session statements, sync (schemas, tables with row
// estimates, fields, enums, foreign keys, privileges, the JDBC metadata calls of older versions)
// and the SQL shapes its query processor generates. test/e2e/java/MetabaseSim.java runs them
// against Eddy and a real PostgreSQL 15; every step must answer the same.
import { javaSideBySideSuite } from './java-side-by-side.js';

javaSideBySideSuite('MetabaseSim', 'Metabase sync and generated queries answer as on PostgreSQL', 40);
