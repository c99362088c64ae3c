"""SQLAlchemy 1.4 (psycopg2) against a server: engine connect, reflection, Core and ORM, server-side
cursors. Prints one JSON object of what it saw; the test runs it against Eddy and PostgreSQL and
compares. Failures raise (non-zero exit).

Run with /usr/bin/python3 (Debian's python3-sqlalchemy): python3 sqlalchemy_check.py <port>
"""
import datetime
import decimal
import json
import sys

from sqlalchemy import (Column, ForeignKey, Integer, MetaData, Numeric, String, Table, create_engine,
                        func, inspect, select, text)
from sqlalchemy.orm import Session, declarative_base, relationship

DDL = [
    "DROP MATERIALIZED VIEW IF EXISTS sa_totals",
    "DROP VIEW IF EXISTS sa_big",
    "DROP TABLE IF EXISTS sa_order",
    "DROP TABLE IF EXISTS sa_customer",
    "CREATE TABLE sa_customer (id int PRIMARY KEY, name varchar(40) NOT NULL, email text UNIQUE, joined date, score numeric(8,2) DEFAULT 0)",
    "CREATE TABLE sa_order (id bigint PRIMARY KEY, customer_id int NOT NULL REFERENCES sa_customer (id), amount numeric(10,2), placed timestamp, note text)",
    "CREATE INDEX sa_order_customer ON sa_order (customer_id)",
    "CREATE VIEW sa_big AS SELECT id, amount FROM sa_order WHERE amount > 100",
    "CREATE MATERIALIZED VIEW sa_totals AS SELECT customer_id, sum(amount) AS total, count(*) AS n FROM sa_order GROUP BY customer_id",
]


def plain(v):
    """JSON-able, type-revealing form of a value"""
    if isinstance(v, decimal.Decimal):
        return {"decimal": str(v)}
    if isinstance(v, (datetime.date, datetime.datetime)):
        return {type(v).__name__: v.isoformat()}
    if isinstance(v, dict):
        return {k: plain(x) for k, x in sorted(v.items())}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def column_facts(cols):
    return [{"name": c["name"], "type": str(c["type"]), "nullable": c["nullable"], "default": c.get("default"),
             "autoincrement": c.get("autoincrement")} for c in cols]


def main() -> None:
    port = int(sys.argv[1])
    engine = create_engine(f"postgresql+psycopg2://eddy@127.0.0.1:{port}/eddy", future=True)
    out = {}
    with engine.begin() as conn:
        for stmt in DDL:
            conn.execute(text(stmt))
    with engine.connect() as conn:
        out["select1"] = conn.execute(text("SELECT 1")).scalar()
        out["server_version_info_major"] = engine.dialect.server_version_info[0]

    insp = inspect(engine)
    out["schemas"] = sorted(s for s in insp.get_schema_names() if s == "public")
    out["tables"] = sorted(t for t in insp.get_table_names() if t.startswith("sa_"))
    out["views"] = sorted(v for v in insp.get_view_names() if v.startswith("sa_"))
    out["matviews"] = sorted(v for v in insp.get_view_names(include=("materialized",)) if v.startswith("sa_"))
    out["has_table"] = [insp.has_table("sa_order"), insp.has_table("sa_nope")]
    out["columns"] = {t: column_facts(insp.get_columns(t)) for t in ("sa_customer", "sa_order", "sa_big")}
    out["pk"] = {t: insp.get_pk_constraint(t)["constrained_columns"] for t in ("sa_customer", "sa_order")}
    out["fks"] = [{k: fk[k] for k in ("constrained_columns", "referred_table", "referred_columns")} for fk in insp.get_foreign_keys("sa_order")]
    out["indexes"] = sorted((i["name"], i["column_names"], bool(i["unique"])) for i in insp.get_indexes("sa_order"))
    out["unique"] = sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints("sa_customer"))
    out["view_definition_mentions_amount"] = "amount" in (insp.get_view_definition("sa_big") or "")

    # Core: reflect the tables, insert, query, update, delete
    meta = MetaData()
    customer = Table("sa_customer", meta, autoload_with=engine)
    order = Table("sa_order", meta, autoload_with=engine)
    out["reflected"] = {t.name: [(c.name, str(c.type), c.primary_key) for c in t.columns] for t in (customer, order)}
    with engine.begin() as conn:
        conn.execute(customer.insert(), [
            {"id": i, "name": f"c{i}", "email": f"c{i}@x.org", "joined": datetime.date(2024, 1, i), "score": decimal.Decimal(i) / 4}
            for i in range(1, 6)
        ])
        conn.execute(order.insert(), [
            {"id": 100 + i, "customer_id": 1 + i % 5, "amount": decimal.Decimal(37 * i) / 2,
             "placed": datetime.datetime(2024, 2, 1, 12, 0) + datetime.timedelta(hours=i), "note": None if i % 3 else f"n{i}"}
            for i in range(1, 31)
        ])
        conn.execute(order.update().where(order.c.id == 101).values(note="first"))
        conn.execute(order.delete().where(order.c.id == 130))
    with engine.begin() as conn:
        # PostgreSQL's materialized view is a snapshot until refreshed; Eddy's is maintained and REFRESH waits for it
        conn.execute(text("REFRESH MATERIALIZED VIEW sa_totals"))
    with engine.connect() as conn:
        q = (select(customer.c.name, func.count(order.c.id).label("n"), func.sum(order.c.amount).label("total"))
             .join(order, order.c.customer_id == customer.c.id)
             .where(order.c.amount > 50)
             .group_by(customer.c.name).order_by(customer.c.name))
        out["core_join"] = plain([tuple(r) for r in conn.execute(q)])
        out["core_scalar"] = plain(conn.execute(select(func.max(order.c.placed))).scalar())
        out["core_params"] = plain([tuple(r) for r in conn.execute(
            select(order.c.id, order.c.note).where(order.c.note.isnot(None), order.c.id.in_([101, 103, 106, 109])).order_by(order.c.id))])
        out["view_rows"] = conn.execute(text("SELECT count(*) FROM sa_big")).scalar()
        out["matview_rows"] = plain([tuple(r) for r in conn.execute(text("SELECT customer_id, total, n FROM sa_totals ORDER BY customer_id"))])

    # ORM
    Base = declarative_base()

    class Customer(Base):
        __tablename__ = "sa_customer"
        id = Column(Integer, primary_key=True)
        name = Column(String(40), nullable=False)
        email = Column(String)
        score = Column(Numeric(8, 2))
        orders = relationship("Order", back_populates="customer", order_by="Order.id")

    class Order(Base):
        __tablename__ = "sa_order"
        id = Column(Integer, primary_key=True)
        customer_id = Column(Integer, ForeignKey("sa_customer.id"), nullable=False)
        amount = Column(Numeric(10, 2))
        note = Column(String)
        customer = relationship("Customer", back_populates="orders")

    with Session(engine) as session:
        c = Customer(id=6, name="orm", email="orm@x.org", score=decimal.Decimal("1.50"))
        c.orders = [Order(id=200, amount=decimal.Decimal("9.99")), Order(id=201, amount=decimal.Decimal("1000.01"), note="big")]
        session.add(c)
        session.commit()
        got = session.get(Customer, 6)
        out["orm_get"] = plain([got.name, got.score, [(o.id, o.amount, o.note) for o in got.orders]])
        out["orm_filter"] = [o.id for o in session.query(Order).filter(Order.amount > 400).order_by(Order.id)]
        got.name = "orm2"
        session.commit()
        out["orm_update"] = session.query(Customer.name).filter_by(id=6).scalar()
        session.delete(session.get(Order, 200))
        session.commit()
        out["orm_count"] = session.query(func.count(Order.id)).scalar()

    # server-side cursor (a named cursor: DECLARE ... / FETCH FORWARD)
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, max_row_buffer=7).execute(select(order.c.id).order_by(order.c.id))
        chunks = []
        while True:
            part = result.fetchmany(7)
            if not part:
                break
            chunks.append(len(part))
        out["stream_chunks"] = chunks

    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
