"""psycopg2 client check. Prints "OK <step>" per passed step; failures raise (non-zero exit).

Run with /usr/bin/python3 (Debian's python3-psycopg2): python3 psycopg2_check.py <port>
"""
import datetime
import decimal
import sys

import psycopg2
import psycopg2.errors
import psycopg2.extras


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 5432
    conn = psycopg2.connect(host="127.0.0.1", port=port, user="eddy", dbname="eddy", connect_timeout=10)
    print("OK connect", conn.server_version, flush=True)

    cur = conn.cursor()
    cur.execute("DROP TABLE IF EXISTS py_t")
    cur.execute(
        "CREATE TABLE py_t (id int PRIMARY KEY, big bigint, name text, amount numeric(10,2),"
        " at timestamp, day date, flag boolean, ratio float8)"
    )
    conn.commit()
    print("OK create", flush=True)

    rows = [
        (i, 2**40 + i, f"row {i} it's", decimal.Decimal("10.25") * i,
         datetime.datetime(2024, 1, 2, 3, 4, 5, 250000) + datetime.timedelta(days=i),
         datetime.date(2020, 2, 29) + datetime.timedelta(days=i), i % 2 == 0, i / 8)
        for i in range(1, 101)
    ]
    cur.executemany("INSERT INTO py_t VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", rows)
    conn.commit()
    cur.execute("SELECT count(*) FROM py_t")
    assert cur.fetchone() == (100,)
    print("OK executemany", flush=True)

    cur.execute("SELECT id, big, name, amount, at, day, flag, ratio FROM py_t WHERE id = %s", (7,))
    got = cur.fetchone()
    assert got == rows[6], f"{got!r} != {rows[6]!r}"
    assert isinstance(got[3], decimal.Decimal) and isinstance(got[4], datetime.datetime)
    assert [d.name for d in cur.description] == ["id", "big", "name", "amount", "at", "day", "flag", "ratio"]
    print("OK fetch-types", flush=True)

    cur.execute(
        "SELECT count(*) FROM py_t WHERE flag = %(flag)s AND amount > %(amt)s AND day < %(day)s AND name LIKE %(pat)s",
        {"flag": True, "amt": decimal.Decimal("100"), "day": datetime.date(2020, 4, 1), "pat": "row%"},
    )
    assert cur.fetchone() == (11,), "named parameters"
    cur.execute("SELECT %s::text, %s::int, %s IS NULL", ("ünïcode '\"\\", None, None))
    assert cur.fetchone() == ("ünïcode '\"\\", None, True)
    cur.execute("SELECT id FROM py_t WHERE id = ANY(%s) ORDER BY id", ([3, 5, 8],))
    assert cur.fetchall() == [(3,), (5,), (8,)]
    print("OK parameters", flush=True)

    cur.execute("SELECT id FROM py_t ORDER BY id LIMIT 10")
    assert cur.fetchmany(3) == [(1,), (2,), (3,)]
    assert len(cur.fetchall()) == 7
    print("OK fetchmany", flush=True)

    cur.execute("UPDATE py_t SET name = 'gone' WHERE id <= 10")
    assert cur.rowcount == 10
    conn.rollback()
    cur.execute("SELECT count(*) FROM py_t WHERE name = 'gone'")
    assert cur.fetchone() == (0,), "rollback"
    cur.execute("DELETE FROM py_t WHERE id > 90")
    conn.commit()
    cur.execute("SELECT count(*) FROM py_t")
    assert cur.fetchone() == (90,), "commit"
    with conn:
        with conn.cursor() as c2:
            c2.execute("INSERT INTO py_t (id) VALUES (1000)")
    try:
        with conn:
            with conn.cursor() as c2:
                c2.execute("INSERT INTO py_t (id) VALUES (1001)")
                c2.execute("INSERT INTO py_t (id) VALUES (1)")
        raise AssertionError("duplicate key accepted")
    except psycopg2.errors.UniqueViolation as e:
        assert e.pgcode == "23505"
    cur.execute("SELECT id FROM py_t WHERE id >= 1000")
    assert cur.fetchall() == [(1000,)], "failed transaction rolled back"
    conn.commit()
    print("OK transactions", flush=True)

    # server-side (named) cursor: DECLARE ... CURSOR + FETCH FORWARD in batches
    with conn.cursor(name="py_named") as named:
        named.itersize = 16
        named.execute("SELECT g, g * 2 FROM generate_series(1, 1000) AS g")
        total = 0
        count = 0
        for a, b in named:
            assert b == a * 2
            total += a
            count += 1
        assert count == 1000 and total == 500500, (count, total)
    conn.commit()
    with conn.cursor(name="py_named2") as named:
        named.execute("SELECT id FROM py_t ORDER BY id")
        assert named.fetchmany(5) == [(1,), (2,), (3,), (4,), (5,)]
        assert named.fetchone() == (6,)
    conn.commit()
    print("OK named-cursor", flush=True)

    dict_cur = conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
    dict_cur.execute("SELECT 1 AS one, 'x' AS ex")
    assert dict_cur.fetchone() == {"one": 1, "ex": "x"}
    psycopg2.extras.execute_values(cur, "INSERT INTO py_t (id, name) VALUES %s", [(2000 + i, f"v{i}") for i in range(50)])
    conn.commit()
    cur.execute("SELECT count(*) FROM py_t WHERE id >= 2000")
    assert cur.fetchone() == (50,)
    conn.commit()
    print("OK extras", flush=True)

    cur.execute("SELECT version()")
    if "Eddy" in cur.fetchone()[0]:
        # SUBSCRIBE through a cursor: the snapshot, then a change committed by another connection
        other = psycopg2.connect(host="127.0.0.1", port=port, user="eddy", dbname="eddy", connect_timeout=10)
        other.autocommit = True
        cur.execute("DECLARE py_sub CURSOR FOR SUBSCRIBE (SELECT id, name FROM py_t WHERE id < 3)")
        cur.execute("FETCH ALL py_sub")
        assert cur.description[0][0] == "eddy_timestamp" and cur.description[1][0] == "eddy_diff"
        snap = sorted((r[1], r[2], r[3]) for r in cur.fetchall())
        assert snap == [(1, 1, "row 1 it's"), (1, 2, "row 2 it's")], snap
        other.cursor().execute("UPDATE py_t SET name = 'renamed' WHERE id = 1")
        cur.execute("FETCH 10 py_sub WITH (timeout = '5s')")
        change = sorted((r[1], r[2], r[3]) for r in cur.fetchall())
        assert change == [(-1, 1, "row 1 it's"), (1, 1, "renamed")], change
        conn.commit()
        other.close()
        print("OK subscribe", flush=True)

    conn.autocommit = True
    cur.execute("DROP TABLE py_t")
    conn.close()
    print("OK done", flush=True)


if __name__ == "__main__":
    main()
