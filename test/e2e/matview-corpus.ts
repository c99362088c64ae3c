// The view definitions the differential tests maintain, over three tables that random
// transactions change. Every definition is standard SQL that PostgreSQL runs too; results are
// compared as multisets, so ORDER BY ... LIMIT views sort by unique keys.
import type { Client } from 'pg';

export const TABLES = [
  'CREATE TABLE customers (id int PRIMARY KEY, name text, country text, tier int)',
  'CREATE TABLE orders (id int PRIMARY KEY, cust int, amount numeric(10,2), status text, qty int, ts timestamp)',
  'CREATE TABLE items (id int PRIMARY KEY, order_id int, sku text, price int)',
];

export interface ViewDef {
  readonly name: string;
  readonly sql: string;
  /** the same query in PostgreSQL's dialect, where Eddy's differs (TUMBLE, HOP) */
  readonly pgSql?: string;
}

const v = (name: string, sql: string, pgSql?: string): ViewDef => (pgSql ? { name, sql, pgSql } : { name, sql });

export const VIEWS: readonly ViewDef[] = [
  // projection, filter, scalar functions
  v('mv_project', "SELECT id, amount * 2 AS double_amount, upper(status) AS st, qty + 1 AS q1 FROM orders"),
  v('mv_filter', "SELECT * FROM orders WHERE amount > 50 AND status = 'paid'"),
  v('mv_case', "SELECT id, CASE WHEN qty > 5 THEN 'big' WHEN qty IS NULL THEN 'unknown' ELSE 'small' END AS size, coalesce(status, 'none') AS st FROM orders"),
  v('mv_functions', "SELECT id, date_trunc('day', ts) AS day, extract(hour FROM ts) AS hr, length(status) AS len, round(amount) AS r, abs(qty - 5) AS d FROM orders"),
  v('mv_values_join', "SELECT o.id, s.rank FROM orders o JOIN (VALUES ('paid', 1), ('new', 2), ('shipped', 3)) AS s(status, rank) ON s.status = o.status"),
  // joins
  v('mv_inner', 'SELECT o.id, o.amount, c.name FROM orders o JOIN customers c ON c.id = o.cust'),
  v('mv_left', 'SELECT o.id, c.name, c.country FROM orders o LEFT JOIN customers c ON c.id = o.cust'),
  v('mv_right', 'SELECT o.id, c.id AS cid, c.name FROM orders o RIGHT JOIN customers c ON c.id = o.cust'),
  v('mv_full', 'SELECT o.id, c.id AS cid FROM orders o FULL JOIN customers c ON c.id = o.cust'),
  v('mv_residual', 'SELECT o.id, c.id AS cid FROM orders o JOIN customers c ON c.id = o.cust AND o.qty > c.tier'),
  v('mv_left_residual', 'SELECT c.id, o.id AS oid FROM customers c LEFT JOIN orders o ON o.cust = c.id AND o.amount > 100'),
  v('mv_three_way', 'SELECT c.country, o.id, i.sku, i.price FROM customers c JOIN orders o ON o.cust = c.id JOIN items i ON i.order_id = o.id'),
  v('mv_self_join', 'SELECT a.id AS a, b.id AS b FROM orders a JOIN orders b ON a.cust = b.cust AND a.id < b.id'),
  v('mv_theta', 'SELECT a.id AS a, b.id AS b FROM customers a, customers b WHERE a.tier < b.tier'),
  v('mv_expr_key', 'SELECT o.id, c.name FROM orders o JOIN customers c ON o.cust + 1 = c.id + 1'),
  // aggregates
  v('mv_group', 'SELECT cust, count(*) AS n, sum(amount) AS total, avg(qty) AS avg_qty, sum(qty) AS sum_qty FROM orders GROUP BY cust'),
  v('mv_minmax', 'SELECT status, min(amount) AS lo, max(amount) AS hi, min(ts) AS first_ts, max(id) AS last_id FROM orders GROUP BY status'),
  v('mv_count_distinct', 'SELECT cust, count(DISTINCT status) AS statuses, count(status) AS with_status FROM orders GROUP BY cust'),
  v('mv_bool', "SELECT cust, bool_and(qty > 2) AS all_big, bool_or(status = 'paid') AS any_paid FROM orders GROUP BY cust"),
  v('mv_string_agg', "SELECT cust, string_agg(status, ',' ORDER BY id) AS statuses, array_agg(id ORDER BY id) AS ids FROM orders GROUP BY cust"),
  v('mv_having', 'SELECT cust, sum(qty) AS q FROM orders GROUP BY cust HAVING count(*) > 1'),
  v('mv_global', 'SELECT count(*) AS n, sum(amount) AS total, min(qty) AS lo, max(qty) AS hi, avg(amount) AS mean FROM orders'),
  v('mv_filter_agg', "SELECT cust, count(*) FILTER (WHERE status = 'paid') AS paid, sum(amount) FILTER (WHERE qty > 3) AS big FROM orders GROUP BY cust"),
  v('mv_group_expr', "SELECT date_trunc('day', ts) AS day, status, count(*) AS n FROM orders GROUP BY 1, 2"),
  v('mv_join_agg', "SELECT c.country, sum(o.amount) AS revenue, count(DISTINCT o.cust) AS buyers FROM orders o JOIN customers c ON c.id = o.cust WHERE o.status <> 'cancelled' GROUP BY c.country"),
  v('mv_left_agg', 'SELECT c.id, count(o.id) AS orders, coalesce(sum(o.qty), 0) AS qty FROM customers c LEFT JOIN orders o ON o.cust = c.id GROUP BY c.id'),
  v('mv_rollup', 'SELECT status, cust, sum(qty) AS q, count(*) AS n FROM orders GROUP BY ROLLUP (status, cust)'),
  v('mv_cube', 'SELECT status, cust % 2 AS parity, count(*) AS n FROM orders GROUP BY CUBE (status, cust % 2)'),
  v('mv_grouping_sets', 'SELECT country, tier, count(*) AS n FROM customers GROUP BY GROUPING SETS ((country), (tier), ())'),
  // roaring bitmaps: distinct buyers per fine group, rolled up from the view (PostgreSQL: count(DISTINCT))
  v('mv_bitmap', 'SELECT status, rb_cardinality(rb_build_agg(cust)) AS buyers FROM orders WHERE cust IS NOT NULL GROUP BY status',
    'SELECT status, count(DISTINCT cust) AS buyers FROM orders WHERE cust IS NOT NULL GROUP BY status'),
  // distinct and set operations
  v('mv_distinct', 'SELECT DISTINCT status, cust FROM orders'),
  v('mv_union_all', 'SELECT cust AS x FROM orders UNION ALL SELECT id FROM customers'),
  v('mv_union', 'SELECT cust AS x FROM orders UNION SELECT id FROM customers'),
  v('mv_intersect', 'SELECT cust AS x FROM orders INTERSECT SELECT id FROM customers'),
  v('mv_except', 'SELECT id AS x FROM customers EXCEPT SELECT cust FROM orders'),
  v('mv_intersect_all', 'SELECT cust AS x FROM orders INTERSECT ALL SELECT order_id FROM items'),
  v('mv_except_all', 'SELECT cust AS x FROM orders EXCEPT ALL SELECT id FROM customers'),
  // window functions and per-group top-N
  v('mv_row_number', 'SELECT id, cust, row_number() OVER (PARTITION BY cust ORDER BY amount DESC NULLS LAST, id) AS rn FROM orders'),
  v('mv_top_per_group', 'SELECT cust, id, amount FROM (SELECT cust, id, amount, row_number() OVER (PARTITION BY cust ORDER BY amount DESC NULLS LAST, id) AS rn FROM orders) x WHERE rn <= 2'),
  v('mv_lag_lead', 'SELECT id, lag(qty) OVER (PARTITION BY cust ORDER BY id) AS prev, lead(id) OVER (PARTITION BY cust ORDER BY id) AS next FROM orders'),
  v('mv_rank', 'SELECT id, rank() OVER (ORDER BY qty) AS r, dense_rank() OVER (ORDER BY qty) AS dr FROM orders'),
  v('mv_running_sum', 'SELECT id, sum(qty) OVER (PARTITION BY cust ORDER BY id) AS running, count(*) OVER (PARTITION BY cust) AS in_group FROM orders'),
  // ties in ORDER BY (RANGE frames include peers), frames and offsets that look ahead
  v('mv_running_peers', 'SELECT id, sum(qty) OVER (PARTITION BY cust ORDER BY qty) AS upto, dense_rank() OVER (PARTITION BY cust ORDER BY qty) AS dr, rank() OVER (PARTITION BY cust ORDER BY qty) AS r FROM orders'),
  v('mv_frames', `SELECT id, sum(qty) OVER (PARTITION BY cust ORDER BY id ROWS BETWEEN 1 PRECEDING AND 2 FOLLOWING) AS s3,
    lead(qty, 2) OVER (PARTITION BY cust ORDER BY id) AS l2, lag(qty, -1) OVER (PARTITION BY cust ORDER BY id) AS nxt,
    last_value(id) OVER (PARTITION BY cust ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS lastid FROM orders`),
  // window functions over different partitionings in one SELECT
  v('mv_partitionings', 'SELECT id, row_number() OVER (PARTITION BY cust ORDER BY id) AS rn, count(*) OVER (PARTITION BY status) AS per_status, sum(qty) OVER () AS total, lag(id) OVER (PARTITION BY cust ORDER BY id) AS prev FROM orders'),
  // session windows (Nexmark q11's shape): a row opens a session unless it follows the previous one within the gap
  v('mv_sessions', `SELECT cust, count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts FROM (
      SELECT cust, ts, sum(opens) OVER (PARTITION BY cust ORDER BY ts) AS session FROM (
        SELECT cust, ts, CASE WHEN ts <= lag(ts) OVER (PARTITION BY cust ORDER BY ts) + INTERVAL '6' HOUR THEN 0 ELSE 1 END AS opens FROM orders) o) s
    GROUP BY cust, session`),
  // time windows
  v('mv_tumble', "SELECT window_start, count(*) AS n, sum(qty) AS q FROM TUMBLE(orders, ts, INTERVAL '6' HOUR) GROUP BY window_start",
    "SELECT date_bin('6 hours', ts, '1970-01-01') AS window_start, count(*) AS n, sum(qty) AS q FROM orders GROUP BY 1"),
  v('mv_hop', "SELECT window_start, window_end, max(amount) AS hi, count(*) AS n FROM HOP(orders, ts, INTERVAL '12' HOUR, INTERVAL '1' DAY) GROUP BY 1, 2",
    "SELECT w.s AS window_start, w.s + interval '1 day' AS window_end, max(o.amount) AS hi, count(*) AS n FROM orders o CROSS JOIN LATERAL (VALUES (date_bin('12 hours', o.ts, '1970-01-01')), (date_bin('12 hours', o.ts, '1970-01-01') - interval '12 hours')) w(s) GROUP BY 1, 2"),
  // top-N
  v('mv_top', 'SELECT id, amount FROM orders ORDER BY amount DESC NULLS LAST, id LIMIT 5'),
  v('mv_top_offset', 'SELECT id, qty FROM orders ORDER BY qty, id LIMIT 4 OFFSET 2'),
  // subqueries in expressions (decorrelated into joins)
  v('mv_exists', "SELECT c.id, c.name FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.cust = c.id AND o.status = 'paid')"),
  v('mv_not_exists', 'SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.cust = c.id)'),
  v('mv_exists_residual', 'SELECT o.id FROM orders o WHERE EXISTS (SELECT 1 FROM items i WHERE i.order_id = o.id AND i.price > o.qty * 5)'),
  v('mv_in', "SELECT id, amount FROM orders WHERE cust IN (SELECT id FROM customers WHERE country = 'US') AND qty > 1"),
  v('mv_scalar_select', 'SELECT id, qty - (SELECT max(qty) FROM orders) AS below_max FROM orders'),
  v('mv_scalar_filter', 'SELECT id, cust FROM orders WHERE qty = (SELECT max(qty) FROM orders)'),
  // DISTINCT ON: the first row per key in ORDER BY order (a per-partition ROW_NUMBER() = 1)
  v('mv_distinct_on', 'SELECT DISTINCT ON (cust) cust, id, amount FROM orders ORDER BY cust, amount DESC, id'),
  v('mv_distinct_on_expr', 'SELECT DISTINCT ON (status, qty > 3) status, qty > 3 AS big, id FROM orders ORDER BY status, qty > 3, id DESC'),
  // correlated scalar subqueries: the aggregate grouped by the correlated columns, or the row
  // found by the primary key, LEFT JOINed
  v('mv_corr_count', 'SELECT c.id, (SELECT count(*) FROM orders o WHERE o.cust = c.id) AS n FROM customers c'),
  v('mv_corr_sum', "SELECT c.id, c.name, (SELECT sum(o.amount) FROM orders o WHERE o.cust = c.id AND o.status = 'paid') AS paid FROM customers c"),
  v('mv_corr_filter', 'SELECT o.id, o.amount FROM orders o WHERE o.amount > (SELECT avg(o2.amount) FROM orders o2 WHERE o2.cust = o.cust)'),
  v('mv_corr_lookup', 'SELECT o.id, (SELECT c.name FROM customers c WHERE c.id = o.cust) AS cname FROM orders o'),
  v('mv_corr_lookup_filter', "SELECT o.id FROM orders o WHERE (SELECT c.tier FROM customers c WHERE c.id = o.cust AND c.country <> 'FR') > 2"),
  v('mv_corr_expr', 'SELECT o.id, (SELECT max(i.price) + 1 FROM items i WHERE i.order_id = o.id) AS top FROM orders o WHERE o.qty > 2'),
  // subqueries in FROM and CTEs
  v('mv_from_subquery', 'SELECT x.cust, x.n FROM (SELECT cust, count(*) AS n FROM orders GROUP BY cust) x WHERE x.n > 1'),
  v('mv_cte', 'WITH big AS (SELECT * FROM orders WHERE qty > 3) SELECT b.cust, count(*) AS n FROM big b JOIN customers c ON c.id = b.cust GROUP BY b.cust'),
  v('mv_distinct_agg_input', 'SELECT count(*) AS n FROM (SELECT DISTINCT cust FROM orders) d'),
  // more shapes
  v('mv_in_list', "SELECT id, status FROM orders WHERE status IN ('paid', 'shipped') AND cust NOT IN (2, 3)"),
  v('mv_union_agg', 'SELECT x, count(*) AS n FROM (SELECT cust AS x FROM orders UNION ALL SELECT order_id FROM items) u GROUP BY x'),
  v('mv_join_using_agg', 'SELECT c.tier, count(*) AS n, max(i.price) AS top FROM items i JOIN orders o ON o.id = i.order_id JOIN customers c ON c.id = o.cust GROUP BY c.tier'),
  v('mv_having_distinct', 'SELECT cust FROM orders GROUP BY cust HAVING count(DISTINCT status) >= 2'),
  v('mv_case_agg', "SELECT CASE WHEN amount >= 100 THEN 'high' ELSE 'low' END AS band, count(*) AS n, sum(qty) AS q FROM orders WHERE amount IS NOT NULL GROUP BY 1"),
  v('mv_anti_in', 'SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.order_id = o.id) AND o.cust IN (SELECT id FROM customers)'),
  // views on views (layering)
  v('mv_on_view', 'SELECT country, count(*) AS orders FROM mv_left GROUP BY country'),
  v('mv_on_view_agg', 'SELECT sum(revenue) AS revenue, max(buyers) AS max_buyers FROM mv_join_agg'),
];

/** definitions that read other views, expanded to base tables for the batch and PostgreSQL oracles */
export function oracleSql(view: ViewDef, postgres = false): string {
  let sql = postgres ? view.pgSql ?? view.sql : view.sql;
  for (const u of VIEWS) {
    if (u === view) continue;
    sql = sql.replace(new RegExp(`\\b${u.name}\\b`, 'g'), `(${postgres ? u.pgSql ?? u.sql : u.sql}) AS ${u.name}`);
  }
  return sql;
}

const STATUSES = ['paid', 'new', 'shipped', 'cancelled', null];
const COUNTRIES = ['US', 'FR', 'DE', null];
const SKUS = ['a', 'b', 'c'];

/** One random change to the tables, as SQL (the same statement runs on Eddy and PostgreSQL). */
export function randomChange(rnd: () => number, nextId: { v: number }): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (n: number): number => Math.floor(rnd() * n);
  const lit = (x: string | null): string => (x === null ? 'NULL' : `'${x}'`);
  const orderValues = (): string => {
    const cust = rnd() < 0.1 ? 'NULL' : String(1 + int(8));
    const amount = rnd() < 0.1 ? 'NULL' : (int(20000) / 100).toFixed(2);
    const qty = rnd() < 0.1 ? 'NULL' : String(int(10));
    const ts = `'2026-01-0${1 + int(3)} ${String(int(24)).padStart(2, '0')}:00:00'`;
    return `${cust}, ${amount}, ${lit(pick(STATUSES))}, ${qty}, ${ts}`;
  };
  const r = rnd();
  const id = 1 + int(nextId.v);
  if (r >= 0.985) return 'TRUNCATE items';
  if (r < 0.3) return `INSERT INTO orders VALUES (${nextId.v++}, ${orderValues()}) ON CONFLICT (id) DO NOTHING`;
  if (r < 0.45) return `UPDATE orders SET ${pick(['cust = ' + (1 + int(8)), 'amount = amount + 1', `status = ${lit(pick(STATUSES))}`, 'qty = ' + int(10), "ts = ts + interval '5 hours'"])} WHERE id = ${id}`;
  if (r < 0.55) return `DELETE FROM orders WHERE id = ${id}`;
  if (r < 0.65) return `INSERT INTO customers VALUES (${1 + int(10)}, 'c${int(100)}', ${lit(pick(COUNTRIES))}, ${int(6)}) ON CONFLICT (id) DO UPDATE SET country = excluded.country, tier = excluded.tier`;
  if (r < 0.72) return `DELETE FROM customers WHERE id = ${1 + int(10)}`;
  if (r < 0.77) return `UPDATE customers SET tier = tier + 1 WHERE id = ${1 + int(10)}`;
  if (r < 0.9) return `INSERT INTO items VALUES (${nextId.v++}, ${1 + int(nextId.v)}, '${pick(SKUS)}', ${int(50)})`;
  if (r < 0.95) return `UPDATE items SET order_id = ${1 + int(nextId.v)} WHERE id = ${1 + int(nextId.v)}`;
  return `DELETE FROM items WHERE id = ${1 + int(nextId.v)}`;
}

/**
 * A result as a sorted list of row strings (a multiset). `loose`: numbers compare by value
 * (12.50 = 12.5), for comparing with PostgreSQL, whose numeric scales may differ.
 */
export async function rowsOf(c: Client, sql: string, loose = false): Promise<string[]> {
  const r = await c.query({ text: sql, rowMode: 'array' });
  return (r.rows as unknown[][]).map((row) => JSON.stringify(row.map((x) => canonical(x, loose)))).sort();
}

function canonical(x: unknown, loose: boolean): unknown {
  if (x instanceof Date) return x.toISOString();
  if (Array.isArray(x)) return x.map((y) => canonical(y, loose));
  if (loose && typeof x === 'string' && /^-?\d+\.\d+$/.test(x)) return x.replace(/0+$/, '').replace(/\.$/, '');
  return x;
}
