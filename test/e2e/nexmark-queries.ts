// The Nexmark queries q0-q22 in RisingWave's dialect (TUMBLE/HOP), over relations person,
// auction and bid (sources or tables with connector = 'nexmark'). Bid carries RisingWave's
// processing-time column p_time (TIMESTAMPTZ AS PROCTIME()), which q12 windows by. q11's session
// windows are written in standard SQL (RisingWave's streaming dialect has no SESSION window): a
// bid opens a session unless it follows its bidder's previous bid within the gap, and a running
// sum of those openings numbers the sessions. (A query that could not be expressed would have
// sql = null and say why.)
export const NEXMARK_COLUMNS = {
  person: 'id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR, state VARCHAR, date_time TIMESTAMP, extra VARCHAR',
  auction: 'id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT, date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR',
  bid: 'auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR, p_time TIMESTAMPTZ AS PROCTIME()',
} as const;

export interface NexmarkQuery {
  readonly name: string;
  /** null: not expressible; `why` says so */
  readonly sql: string | null;
  readonly why?: string;
  /** the relations it reads */
  readonly reads: readonly ('person' | 'auction' | 'bid')[];
}

const q = (name: string, reads: NexmarkQuery['reads'], sql: string): NexmarkQuery => ({ name, sql, reads });

export const NEXMARK_QUERIES: readonly NexmarkQuery[] = [
  q('q0', ['bid'], 'SELECT auction, bidder, price, date_time FROM bid'),
  q('q1', ['bid'], 'SELECT auction, bidder, 0.908 * price AS price, date_time FROM bid'),
  q('q2', ['bid'], 'SELECT auction, price FROM bid WHERE auction = 1007 OR auction = 1020 OR auction = 2001 OR auction = 2019 OR auction = 2087'),
  q('q3', ['auction', 'person'], `SELECT P.name, P.city, P.state, A.id FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
    WHERE A.category = 10 AND (P.state = 'or' OR P.state = 'id' OR P.state = 'ca')`),
  q('q4', ['auction', 'bid'], `SELECT Q.category, AVG(Q.final) AS avg FROM (
      SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
      WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires GROUP BY A.id, A.category) Q
    GROUP BY Q.category`),
  q('q5', ['bid'], `SELECT AuctionBids.auction, AuctionBids.num FROM (
      SELECT bid.auction, count(*) AS num, window_start AS starttime FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
      GROUP BY window_start, bid.auction) AS AuctionBids
    JOIN (
      SELECT max(CountBids.num) AS maxn, CountBids.starttime_c FROM (
        SELECT count(*) AS num, window_start AS starttime_c FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
        GROUP BY bid.auction, window_start) AS CountBids
      GROUP BY CountBids.starttime_c) AS MaxBids
    ON AuctionBids.starttime = MaxBids.starttime_c AND AuctionBids.num >= MaxBids.maxn`),
  // average selling price per seller over its last auctions (the original's ROWS frame over each auction's winning bid)
  q('q6', ['auction', 'bid'], `SELECT Q.seller, avg(Q.final) OVER (PARTITION BY Q.seller ORDER BY Q.date_time, Q.id ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS avg
    FROM (SELECT A.id, A.seller, A.date_time, max(B.price) AS final FROM auction AS A JOIN bid AS B
      ON A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires GROUP BY A.id, A.seller, A.date_time) Q`),
  q('q7', ['bid'], `SELECT B.auction, B.price, B.bidder, B.date_time FROM bid B
    JOIN (SELECT MAX(price) AS maxprice, window_end AS date_time FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND) GROUP BY window_end) B1
    ON B.price = B1.maxprice WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time`),
  q('q8', ['person', 'auction'], `SELECT P.id, P.name, P.starttime FROM (
      SELECT id, name, window_start AS starttime, window_end AS endtime FROM TUMBLE(person, date_time, INTERVAL '10' SECOND)
      GROUP BY id, name, window_start, window_end) P
    JOIN (
      SELECT seller, window_start AS starttime, window_end AS endtime FROM TUMBLE(auction, date_time, INTERVAL '10' SECOND)
      GROUP BY seller, window_start, window_end) A
    ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime`),
  q('q9', ['auction', 'bid'], `SELECT id, item_name, description, initial_bid, reserve, date_time, expires, seller, category, auction, bidder, price, bid_date_time FROM (
      SELECT A.*, B.auction, B.bidder, B.price, B.date_time AS bid_date_time,
        ROW_NUMBER() OVER (PARTITION BY A.id ORDER BY B.price DESC, B.date_time ASC) AS rownum
      FROM auction A, bid B WHERE A.id = B.auction AND B.date_time BETWEEN A.date_time AND A.expires) x
    WHERE rownum <= 1`),
  q('q10', ['bid'], "SELECT auction, bidder, price, date_time, to_char(date_time, 'YYYY-MM-DD') AS date, to_char(date_time, 'HH:MI') AS time FROM bid"),
  q('q11', ['bid'], `SELECT bidder, count(*) AS bid_count, min(date_time) AS starttime, max(date_time) + INTERVAL '10' SECOND AS endtime
    FROM (
      SELECT bidder, date_time, sum(opens) OVER (PARTITION BY bidder ORDER BY date_time) AS session FROM (
        SELECT bidder, date_time,
          CASE WHEN date_time <= lag(date_time) OVER (PARTITION BY bidder ORDER BY date_time) + INTERVAL '10' SECOND THEN 0 ELSE 1 END AS opens
        FROM bid) O) S
    GROUP BY bidder, session`),
  q('q12', ['bid'], `SELECT bidder, count(*) AS bid_count, window_start, window_end
    FROM TUMBLE(bid, p_time, INTERVAL '10' SECOND) GROUP BY bidder, window_start, window_end`),
  q('q13', ['bid'], `SELECT B.auction, B.bidder, B.price, B.date_time, S.value FROM bid B
    JOIN (VALUES (0, 'zero'), (1, 'one'), (2, 'two'), (3, 'three'), (4, 'four'), (5, 'five'), (6, 'six'), (7, 'seven'), (8, 'eight'), (9, 'nine')) AS S(key, value)
    ON mod(B.auction, 10) = S.key`),
  q('q14', ['bid'], `SELECT auction, bidder, 0.908 * price AS price,
      CASE WHEN extract(hour FROM date_time) >= 8 AND extract(hour FROM date_time) <= 18 THEN 'dayTime'
           WHEN extract(hour FROM date_time) <= 6 OR extract(hour FROM date_time) >= 20 THEN 'nightTime'
           ELSE 'otherTime' END AS bidTimeType,
      date_time, extra, length(extra) - length(replace(extra, 'c', '')) AS c_counts
    FROM bid WHERE 0.908 * price > 1000000 AND 0.908 * price < 50000000`),
  q('q15', ['bid'], `SELECT to_char(date_time, 'yyyy-mm-dd') AS day, count(*) AS total_bids,
      count(*) FILTER (WHERE price < 10000) AS rank1_bids,
      count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
      count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
      count(DISTINCT bidder) AS total_bidders,
      count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
      count(DISTINCT bidder) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bidders,
      count(DISTINCT bidder) FILTER (WHERE price >= 1000000) AS rank3_bidders,
      count(DISTINCT auction) AS total_auctions,
      count(DISTINCT auction) FILTER (WHERE price < 10000) AS rank1_auctions,
      count(DISTINCT auction) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_auctions,
      count(DISTINCT auction) FILTER (WHERE price >= 1000000) AS rank3_auctions
    FROM bid GROUP BY to_char(date_time, 'yyyy-mm-dd')`),
  q('q16', ['bid'], `SELECT channel, to_char(date_time, 'yyyy-mm-dd') AS day, max(to_char(date_time, 'HH:mm')) AS minute,
      count(*) AS total_bids,
      count(*) FILTER (WHERE price < 10000) AS rank1_bids,
      count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
      count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
      count(DISTINCT bidder) AS total_bidders,
      count(DISTINCT bidder) FILTER (WHERE price < 10000) AS rank1_bidders,
      count(DISTINCT auction) AS total_auctions,
      count(DISTINCT auction) FILTER (WHERE price >= 1000000) AS rank3_auctions
    FROM bid GROUP BY to_char(date_time, 'yyyy-mm-dd'), channel`),
  q('q17', ['bid'], `SELECT auction, to_char(date_time, 'YYYY-MM-DD') AS day, count(*) AS total_bids,
      count(*) FILTER (WHERE price < 10000) AS rank1_bids,
      count(*) FILTER (WHERE price >= 10000 AND price < 1000000) AS rank2_bids,
      count(*) FILTER (WHERE price >= 1000000) AS rank3_bids,
      min(price) AS min_price, max(price) AS max_price, avg(price) AS avg_price, sum(price) AS sum_price
    FROM bid GROUP BY auction, to_char(date_time, 'YYYY-MM-DD')`),
  q('q18', ['bid'], `SELECT auction, bidder, price, channel, url, date_time, extra FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY bidder, auction ORDER BY date_time DESC, price DESC) AS rank_number FROM bid) x
    WHERE rank_number <= 1`),
  q('q19', ['bid'], `SELECT auction, bidder, price, channel, url, date_time, extra, rank_number FROM (
      SELECT *, ROW_NUMBER() OVER (PARTITION BY auction ORDER BY price DESC, date_time, bidder) AS rank_number FROM bid) x
    WHERE rank_number <= 10`),
  q('q20', ['bid', 'auction'], `SELECT auction, bidder, price, channel, url, B.date_time AS bid_date_time, B.extra AS bid_extra,
      item_name, description, initial_bid, reserve, A.date_time AS auction_date_time, expires, seller, category, A.extra AS auction_extra
    FROM bid AS B INNER JOIN auction AS A ON B.auction = A.id WHERE A.category = 10`),
  q('q21', ['bid'], `SELECT auction, bidder, price, channel,
      CASE WHEN lower(channel) = 'apple' THEN '0' WHEN lower(channel) = 'google' THEN '1'
           WHEN lower(channel) = 'facebook' THEN '2' WHEN lower(channel) = 'baidu' THEN '3'
           ELSE (regexp_match(url, '(&|^)channel_id=([^&]*)'))[2] END AS channel_id
    FROM bid WHERE (regexp_match(url, '(&|^)channel_id=([^&]*)'))[2] IS NOT NULL OR lower(channel) IN ('apple', 'google', 'facebook', 'baidu')`),
  q('q22', ['bid'], "SELECT auction, bidder, price, channel, split_part(url, '/', 4) AS dir1, split_part(url, '/', 5) AS dir2, split_part(url, '/', 6) AS dir3 FROM bid"),
];
