-- The gamekpi dataset, generated at start-up (DuckDB dialect): five fictional games, 10,000 player accounts and their
-- activity, payments and KPI tables from 2024-01-01 to 2025-06-30. Deterministic on every run and machine: "random"
-- values come from an arithmetic hash of row numbers (rh, ru), never from random().

-- rh(n, salt): a hash of a row number in [0, 2^31); ru(n, salt): the same as a fraction in [0, 1).
CREATE TEMP MACRO rh(n, salt) AS
  (xor((n + 1) * 2654435761 + salt * 40503, ((n + 1) * 2654435761 + salt * 40503) >> 15) % 2147483648)
    * 1103515245 % 2147483648;
CREATE TEMP MACRO ru(n, salt) AS rh(n, salt) / 2147483648.0;

CREATE TABLE main.gamekpi.games (
  game_code STRING, game_name STRING, game_name_ko STRING, genre STRING, launch_date DATE
);
CREATE TABLE main.gamekpi.players (
  player_id BIGINT, game_code STRING, country_code STRING, platform STRING, signup_date DATE
);
CREATE TABLE main.gamekpi.events (
  event_id BIGINT, event_date DATE, player_id BIGINT, game_code STRING, event_type STRING, sessions INT,
  playtime_min INT
);
CREATE TABLE main.gamekpi.payments (
  payment_id BIGINT, payment_date DATE, player_id BIGINT, game_code STRING, product_type STRING,
  amount_usd DECIMAL(10,2), payment_status STRING
);
CREATE TABLE main.gamekpi.daily_game_summary (
  event_date DATE, game_code STRING, platform STRING, dau BIGINT, nru BIGINT, pu BIGINT, revenue DECIMAL(12,2),
  sessions BIGINT, playtime_min BIGINT
);
CREATE TABLE main.gamekpi.cumulative_snapshot (
  snapshot_date DATE, game_code STRING, cum_nru BIGINT, cum_pu BIGINT, cum_revenue DECIMAL(14,2)
);

INSERT INTO main.gamekpi.games VALUES
  ('ember_saga', 'Ember Saga', '엠버 사가', 'RPG', DATE '2021-03-18'),
  ('star_raiders', 'Star Raiders', '스타 레이더스', 'Shooter', DATE '2022-11-02'),
  ('pixel_farm', 'Pixel Farm', '픽셀 팜', 'Casual', DATE '2020-06-25'),
  ('mythic_arena', 'Mythic Arena', '미씩 아레나', 'MOBA', DATE '2023-04-12'),
  ('neon_drift', 'Neon Drift', '네온 드리프트', 'Racing', DATE '2024-09-12');

-- 10,000 player accounts (one game each). Sign-ups from 2023-06-01 (Neon Drift: from its launch), growing over time.
CREATE TEMP TABLE drawn AS
SELECT i,
       CASE WHEN ru(i, 1) < 0.30 THEN 'ember_saga' WHEN ru(i, 1) < 0.55 THEN 'star_raiders'
            WHEN ru(i, 1) < 0.75 THEN 'pixel_farm' WHEN ru(i, 1) < 0.90 THEN 'mythic_arena' ELSE 'neon_drift' END
         AS game_code,
       ru(i, 2) AS u_country,
       ru(i, 3) AS u_platform,
       ru(i, 4) AS u_signup
FROM range(1, 10001) t(i);

INSERT INTO main.gamekpi.players
SELECT row_number() OVER (ORDER BY signup_date, i) AS player_id, game_code, country_code, platform, signup_date
FROM (
  SELECT i, game_code,
         CASE WHEN u_country < 0.40 THEN 'KR' WHEN u_country < 0.55 THEN 'JP' WHEN u_country < 0.70 THEN 'US'
              WHEN u_country < 0.80 THEN 'TW' WHEN u_country < 0.88 THEN 'DE' WHEN u_country < 0.95 THEN 'BR'
              ELSE 'TH' END AS country_code,
         CASE game_code
           WHEN 'pixel_farm' THEN CASE WHEN u_platform < 0.85 THEN 'mobile' ELSE 'pc' END
           WHEN 'star_raiders' THEN CASE WHEN u_platform < 0.55 THEN 'pc' WHEN u_platform < 0.85 THEN 'console'
                                         ELSE 'mobile' END
           WHEN 'neon_drift' THEN CASE WHEN u_platform < 0.5 THEN 'console' ELSE 'pc' END
           ELSE CASE WHEN u_platform < 0.5 THEN 'mobile' ELSE 'pc' END END AS platform,
         CASE WHEN game_code = 'neon_drift'
              THEN DATE '2024-09-12' + CAST(floor(292 * pow(u_signup, 1.3)) AS INTEGER)
              ELSE DATE '2023-06-01' + CAST(floor(761 * pow(u_signup, 0.8)) AS INTEGER) END AS signup_date
  FROM drawn
);

-- Active days: the sign-up day and further days within the player's lifetime; only 2024-01-01 … 2025-06-30 is kept.
CREATE TEMP TABLE active AS
SELECT DISTINCT p.player_id, p.game_code, p.platform, p.signup_date,
       p.signup_date + CAST(CASE WHEN k = 0 THEN 0
                                 ELSE floor((7 + floor(420 * pow(ru(p.player_id, 5), 2.2))) * pow(ru(p.player_id * 64 + k, 6), 1.4))
                            END AS INTEGER) AS day
FROM main.gamekpi.players p, unnest(range(1 + CAST(floor(45 * pow(ru(p.player_id, 7), 2.3)) AS INTEGER))) AS r(k);
DELETE FROM active WHERE day < DATE '2024-01-01' OR day > DATE '2025-06-30';

-- Events: a login on every active day (with its sessions and play time), the tutorial on the sign-up day for most
-- players, and level-ups on some days.
INSERT INTO main.gamekpi.events
SELECT row_number() OVER (ORDER BY event_date, player_id, event_type) AS event_id, *
FROM (
  SELECT a.day AS event_date, a.player_id, a.game_code, 'login' AS event_type,
         CAST(1 + rh(a.player_id * 1000 + (a.day - DATE '2024-01-01'), 8) % 3 AS INTEGER) AS sessions,
         CAST(10 + rh(a.player_id * 1000 + (a.day - DATE '2024-01-01'), 9) % 71 AS INTEGER) AS playtime_min
  FROM active a
  UNION ALL
  SELECT a.day, a.player_id, a.game_code, 'tutorial_complete', 0, 0
  FROM active a WHERE a.day = a.signup_date AND ru(a.player_id, 10) < 0.8
  UNION ALL
  SELECT a.day, a.player_id, a.game_code, 'level_up', 0, 0
  FROM active a WHERE ru(a.player_id * 1000 + (a.day - DATE '2024-01-01'), 11) < 0.3
);
UPDATE main.gamekpi.events SET playtime_min = sessions * playtime_min WHERE event_type = 'login';

-- Payments: 12 % of players ever pay; a payer pays on some active days. About 3 % of payments are refunded.
INSERT INTO main.gamekpi.payments
SELECT row_number() OVER (ORDER BY day, player_id) AS payment_id, day AS payment_date, player_id, game_code,
       product_type,
       CAST(CASE product_type WHEN 'starter_pack' THEN 2.99 WHEN 'battle_pass' THEN 9.99 WHEN 'skin' THEN 14.99
            ELSE [4.99, 9.99, 19.99, 49.99, 99.99][1 + CAST(rh(n, 12) % 5 AS INTEGER)] END AS DECIMAL(10,2))
         AS amount_usd,
       CASE WHEN ru(n, 13) < 0.03 THEN 'refunded' ELSE 'success' END AS payment_status
FROM (
  SELECT a.*, a.player_id * 1000 + (a.day - DATE '2024-01-01') AS n,
         CASE WHEN ru(a.player_id * 1000 + (a.day - DATE '2024-01-01'), 14) < 0.35 THEN 'gem_pack'
              WHEN ru(a.player_id * 1000 + (a.day - DATE '2024-01-01'), 14) < 0.6 THEN 'battle_pass'
              WHEN ru(a.player_id * 1000 + (a.day - DATE '2024-01-01'), 14) < 0.85 THEN 'skin'
              ELSE 'starter_pack' END AS product_type
  FROM active a
  WHERE ru(a.player_id, 15) < 0.12 AND ru(a.player_id * 1000 + (a.day - DATE '2024-01-01'), 16) < 0.3
);

-- The daily KPI summary, one row per date, game and platform: dau = players who logged in that day, nru = players
-- who signed up that day, pu = players with a successful payment that day, revenue = their successful payments.
INSERT INTO main.gamekpi.daily_game_summary
SELECT a.day, a.game_code, a.platform, COUNT(*) AS dau,
       COUNT(*) FILTER (WHERE a.day = a.signup_date) AS nru,
       COUNT(pay.player_id) AS pu,
       CAST(COALESCE(SUM(pay.amount), 0) AS DECIMAL(12,2)) AS revenue,
       SUM(e.sessions) AS sessions, SUM(e.playtime_min) AS playtime_min
FROM active a
JOIN main.gamekpi.events e ON e.player_id = a.player_id AND e.event_date = a.day AND e.event_type = 'login'
LEFT JOIN (
  SELECT player_id, payment_date, SUM(amount_usd) AS amount FROM main.gamekpi.payments
  WHERE payment_status = 'success' GROUP BY player_id, payment_date
) pay ON pay.player_id = a.player_id AND pay.payment_date = a.day
GROUP BY a.day, a.game_code, a.platform
ORDER BY a.day, a.game_code, a.platform;

-- A cumulative snapshot per day and game: registered players (sign-ups since launch), players who ever paid and
-- lifetime revenue, as of that day. Values are running totals: summing them over days counts everything many times.
INSERT INTO main.gamekpi.cumulative_snapshot
WITH days AS (
  SELECT DATE '2024-01-01' + CAST(d AS INTEGER) AS day, g.game_code, g.launch_date
  FROM range(547) t(d), main.gamekpi.games g
), signups AS (
  SELECT game_code, signup_date AS day, COUNT(*) AS n FROM main.gamekpi.players GROUP BY ALL
), first_paid AS (
  SELECT game_code, day, COUNT(*) AS n FROM (
    SELECT game_code, MIN(payment_date) AS day FROM main.gamekpi.payments WHERE payment_status = 'success'
    GROUP BY player_id, game_code
  ) GROUP BY ALL
), paid AS (
  SELECT game_code, payment_date AS day, SUM(amount_usd) AS amount FROM main.gamekpi.payments
  WHERE payment_status = 'success' GROUP BY ALL
), daily AS (
  SELECT d.day, d.game_code, d.launch_date, COALESCE(s.n, 0) AS n, COALESCE(f.n, 0) AS f, COALESCE(p.amount, 0) AS a
  FROM days d
  LEFT JOIN signups s ON s.game_code = d.game_code AND s.day = d.day
  LEFT JOIN first_paid f ON f.game_code = d.game_code AND f.day = d.day
  LEFT JOIN paid p ON p.game_code = d.game_code AND p.day = d.day
)
SELECT day AS snapshot_date, game_code,
       (SELECT COUNT(*) FROM main.gamekpi.players p WHERE p.game_code = daily.game_code AND p.signup_date < DATE '2024-01-01')
         + SUM(n) OVER w AS cum_nru,
       SUM(f) OVER w AS cum_pu,
       CAST(SUM(a) OVER w AS DECIMAL(14,2)) AS cum_revenue
FROM daily
WHERE day >= launch_date
WINDOW w AS (PARTITION BY game_code ORDER BY day)
ORDER BY snapshot_date, game_code;
