// pgjdbc side by side: every common type through prepared statements in both directions,
// ResultSetMetaData, ParameterMetaData, DatabaseMetaData (type info, functions, keys, indexes,
// columns) and a cursor read with a fetch size, against Eddy and a real PostgreSQL 15
// (test/e2e/java/JdbcCompat.java). Every step must answer the same.
import { javaSideBySideSuite } from './java-side-by-side.js';

javaSideBySideSuite('JdbcCompat', 'pgjdbc sees Eddy as it sees PostgreSQL', 10);
