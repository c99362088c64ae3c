// Property-based differential test (fast-check): for any sequence of inserts, updates and
// deletes on two small tables, every view equals its query run as a batch SELECT. A failing
// sequence is shrunk to a minimal one, which the failure message prints.
// Operator state is limited to a few rows in memory, so state is read back from storage all the time.
import { afterAll, beforeAll, expect, test } from 'vitest';
import fc from 'fast-check';
import type { Client } from 'pg';
import { startEddy, type EddyServer } from '../harness/server.js';

const VIEWS: [string, string][] = [
  ['p_agg', 'SELECT g, count(*) AS n, sum(v) AS s, min(v) AS lo, max(v) AS hi, count(DISTINCT v) AS d FROM pt GROUP BY g'],
  ['p_join', 'SELECT a.id, a.v, b.k FROM pt a JOIN pk b ON b.id = a.g'],
  ['p_left', 'SELECT a.id, b.k FROM pt a LEFT JOIN pk b ON b.id = a.g AND b.k > a.v'],
  ['p_full_agg', 'SELECT b.k, count(a.id) AS n FROM pt a FULL JOIN pk b ON b.id = a.g GROUP BY b.k'],
  ['p_distinct', 'SELECT DISTINCT g, v % 3 AS r FROM pt'],
  ['p_except', 'SELECT g AS x FROM pt EXCEPT ALL SELECT id FROM pk'],
  ['p_top', 'SELECT id, v FROM pt ORDER BY v DESC NULLS LAST, id LIMIT 3'],
  ['p_rank', 'SELECT id, g, row_number() OVER (PARTITION BY g ORDER BY v, id) AS rn FROM pt'],
  ['p_exists', 'SELECT id FROM pk b WHERE NOT EXISTS (SELECT 1 FROM pt a WHERE a.g = b.id)'],
  ['p_layered', 'SELECT count(*) AS groups, sum(n) AS rows FROM p_agg'],
];

type Op =
  | { kind: 'insT'; id: number; g: number; v: number | null }
  | { kind: 'updT'; id: number; v: number | null }
  | { kind: 'moveT'; id: number; g: number }
  | { kind: 'delT'; id: number }
  | { kind: 'upsK'; id: number; k: number }
  | { kind: 'delK'; id: number };

const small = fc.integer({ min: 1, max: 6 });
const val = fc.option(fc.integer({ min: -3, max: 8 }), { nil: null, freq: 6 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('insT' as const), id: small, g: fc.integer({ min: 1, max: 4 }), v: val }),
  fc.record({ kind: fc.constant('updT' as const), id: small, v: val }),
  fc.record({ kind: fc.constant('moveT' as const), id: small, g: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ kind: fc.constant('delT' as const), id: small }),
  fc.record({ kind: fc.constant('upsK' as const), id: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('delK' as const), id: fc.integer({ min: 1, max: 4 }) }),
);

function sqlOf(o: Op): [string, unknown[]] {
  switch (o.kind) {
    case 'insT': return ['INSERT INTO pt VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [o.id, o.g, o.v]];
    case 'updT': return ['UPDATE pt SET v = $2 WHERE id = $1', [o.id, o.v]];
    case 'moveT': return ['UPDATE pt SET g = $2 WHERE id = $1', [o.id, o.g]];
    case 'delT': return ['DELETE FROM pt WHERE id = $1', [o.id]];
    case 'upsK': return ['INSERT INTO pk VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET k = excluded.k', [o.id, o.k]];
    case 'delK': return ['DELETE FROM pk WHERE id = $1', [o.id]];
  }
}

let eddy: EddyServer;
let c: Client;
beforeAll(async () => {
  eddy = await startEddy({ env: { EDDY_STATE_CACHE_ROWS: '8' } });
  c = await eddy.client();
  await c.query('CREATE TABLE pt (id int PRIMARY KEY, g int, v int)');
  await c.query('CREATE TABLE pk (id int PRIMARY KEY, k int)');
  for (const [name, sql] of VIEWS) await c.query(`CREATE MATERIALIZED VIEW ${name} AS ${sql}`);
});
afterAll(async () => { await c?.end(); await eddy?.stop(); });

async function rows(sql: string): Promise<string[]> {
  return (await c.query({ text: sql, rowMode: 'array' })).rows.map((r: unknown[]) => JSON.stringify(r)).sort();
}

async function viewsMatch(): Promise<string | null> {
  for (const [name, sql] of VIEWS) {
    const base = name === 'p_layered' ? sql.replace('FROM p_agg', `FROM (${VIEWS[0]![1]}) x`) : sql;
    const got = await rows(`SELECT * FROM ${name}`);
    const want = await rows(base);
    if (JSON.stringify(got) !== JSON.stringify(want)) return `${name}: view ${JSON.stringify(got)} != query ${JSON.stringify(want)}`;
  }
  return null;
}

test('views equal their queries for any sequence of changes (shrinking on failure)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 12 }), async (txns) => {
      // every run starts from empty tables (views follow the TRUNCATE through the binlog)
      await c.query('TRUNCATE pt, pk');
      for (const txn of txns) {
        await c.query('BEGIN');
        for (const o of txn) { const [sql, params] = sqlOf(o); await c.query(sql, params); }
        await c.query('COMMIT');
      }
      const mismatch = await viewsMatch();
      expect(mismatch).toBeNull();
    }),
    { numRuns: 40, seed: 20261122, endOnFailure: false },
  );
}, 300_000);
