-- The retail dataset, generated at start-up (DuckDB dialect). About 50,000 orders from 2023-01-01 to 2025-12-31.
-- Deterministic on every run and machine: "random" values come from an arithmetic hash of row numbers (rh, ru),
-- never from random().

-- rh(n, salt): a hash of a row number in [0, 2^31); ru(n, salt): the same as a fraction in [0, 1).
CREATE TEMP MACRO rh(n, salt) AS
  (xor((n + 1) * 2654435761 + salt * 40503, ((n + 1) * 2654435761 + salt * 40503) >> 15) % 2147483648)
    * 1103515245 % 2147483648;
CREATE TEMP MACRO ru(n, salt) AS rh(n, salt) / 2147483648.0;

CREATE TABLE main.retail.customers (
  customer_id BIGINT, customer_name STRING, segment STRING, region STRING, country STRING, city STRING,
  signup_date DATE
);
CREATE TABLE main.retail.products (
  product_id BIGINT, product_name STRING, category STRING, subcategory STRING, brand STRING,
  list_price DECIMAL(10,2)
);
CREATE TABLE main.retail.stores (
  store_id BIGINT, store_name STRING, region STRING, city STRING, channel STRING, opened_date DATE
);
CREATE TABLE main.retail.orders (
  order_id BIGINT, order_date DATE, customer_id BIGINT, store_id BIGINT, status STRING, payment_method STRING
);
CREATE TABLE main.retail.order_items (
  order_id BIGINT, line_number INT, product_id BIGINT, quantity INT, unit_price DECIMAL(10,2), discount DECIMAL(4,2)
);

-- Cities of each region (index 1..4) and their countries.
CREATE TEMP TABLE geo AS
SELECT * FROM (VALUES
  ('North', 1, 'Chicago', 'United States'), ('North', 2, 'Minneapolis', 'United States'),
  ('North', 3, 'Toronto', 'Canada'), ('North', 4, 'Detroit', 'United States'),
  ('South', 1, 'Houston', 'United States'), ('South', 2, 'Atlanta', 'United States'),
  ('South', 3, 'Miami', 'United States'), ('South', 4, 'Monterrey', 'Mexico'),
  ('East', 1, 'New York', 'United States'), ('East', 2, 'Boston', 'United States'),
  ('East', 3, 'Philadelphia', 'United States'), ('East', 4, 'Montreal', 'Canada'),
  ('West', 1, 'Los Angeles', 'United States'), ('West', 2, 'Seattle', 'United States'),
  ('West', 3, 'Denver', 'United States'), ('West', 4, 'Vancouver', 'Canada')
) AS g(region, idx, city, country);

-- 5,000 customers; ids follow sign-up order (2018-01-01 … 2025-09-30, more sign-ups in later years), names unique.
INSERT INTO main.retail.customers
SELECT c.i AS customer_id,
       (['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
         'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Carlos', 'Karen',
         'Daniel', 'Lisa', 'Matthew', 'Nancy', 'Anthony', 'Sandra', 'Mark', 'Ashley', 'Steven', 'Emily',
         'Paul', 'Donna', 'Andrew', 'Michelle', 'Joshua', 'Carol', 'Kevin', 'Amanda', 'Brian', 'Melissa'])
         [(c.j % 40) + 1] || ' ' ||
       (['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
         'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee',
         'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker',
         'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green',
         'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Chen',
         'Patel', 'Kim', 'Singh', 'Murphy', 'Cook', 'Rogers', 'Morgan', 'Cooper', 'Peterson', 'Reed',
         'Bailey', 'Bell', 'Gomez', 'Kelly', 'Howard', 'Ward', 'Cox', 'Diaz', 'Richardson', 'Wood',
         'Watson', 'Brooks', 'Bennett', 'Gray', 'James', 'Reyes', 'Cruz', 'Hughes', 'Price', 'Myers',
         'Long', 'Foster', 'Sanders', 'Ross', 'Morales', 'Powell', 'Sullivan', 'Russell', 'Ortiz', 'Jenkins',
         'Gutierrez', 'Perry', 'Butler', 'Barnes', 'Fisher', 'Henderson', 'Coleman', 'Simmons', 'Patterson', 'Jordan',
         'Reynolds', 'Hamilton', 'Graham', 'Wallace', 'Woods', 'Cole', 'West', 'Owens', 'Fletcher', 'Stone',
         'Hudson', 'Lambert', 'Dunn', 'Pearson', 'Holland', 'Mills', 'Warren', 'Fox', 'Rose', 'Rice',
         'Moreno', 'Schmidt', 'Ferguson', 'Nichols', 'Herrera', 'Medina', 'Ryan', 'Castro', 'Vargas', 'Jimenez'])
         [(c.j // 40) + 1] AS customer_name,
       CASE WHEN ru(c.i, 11) < 0.58 THEN 'Consumer' WHEN ru(c.i, 11) < 0.84 THEN 'Corporate' ELSE 'Small Business' END
         AS segment,
       g.region,
       g.country,
       g.city,
       DATE '2018-01-01' + CAST(floor(2829 * pow((c.i - 1) / 5000.0, 0.8)) AS INTEGER) AS signup_date
FROM (
  SELECT i,
         (i * 3407) % 5200 AS j,
         CASE WHEN ru(i, 12) < 0.22 THEN 'North' WHEN ru(i, 12) < 0.48 THEN 'South' WHEN ru(i, 12) < 0.78 THEN 'East'
              ELSE 'West' END AS region,
         1 + rh(i, 13) % 4 AS idx
  FROM range(1, 5001) t(i)
) c
JOIN geo g ON g.region = c.region AND g.idx = c.idx
ORDER BY c.i;

-- 200 products, 40 per category, 4 subcategories and 4 brands per category.
INSERT INTO main.retail.products
SELECT p.i AS product_id,
       p.brand || ' ' || p.item || ' ' || chr(65 + CAST(p.i % 26 AS INTEGER)) || CAST(100 + p.i AS VARCHAR) AS product_name,
       p.category,
       p.subcategory,
       p.brand,
       CAST(round(p.low + (p.high - p.low) * pow(ru(p.i, 21), 1.7), 2) AS DECIMAL(10,2)) AS list_price
FROM (
  SELECT i,
         ['Electronics', 'Furniture', 'Office Supplies', 'Apparel', 'Grocery'][k + 1] AS category,
         [['Laptops', 'Phones', 'Headphones', 'Monitors'], ['Chairs', 'Desks', 'Bookcases', 'Tables'],
          ['Paper', 'Pens', 'Binders', 'Storage'], ['Shirts', 'Jackets', 'Shoes', 'Accessories'],
          ['Snacks', 'Beverages', 'Coffee', 'Pantry']][k + 1][s + 1] AS subcategory,
         [['Laptop', 'Phone', 'Headphones', 'Monitor'], ['Chair', 'Desk', 'Bookcase', 'Table'],
          ['Copy Paper', 'Gel Pens', 'Binder', 'Storage Box'], ['Shirt', 'Jacket', 'Sneakers', 'Backpack'],
          ['Trail Mix', 'Sparkling Water', 'Coffee Beans', 'Olive Oil']][k + 1][s + 1] AS item,
         [['Voltix', 'Nimbus', 'Arcwave', 'Lumen'], ['Oakline', 'Nordhaus', 'Sitwell', 'Loftcraft'],
          ['Papyra', 'Inkwell', 'Clipstone', 'Deskmate'], ['Northpeak', 'Urbane', 'Threadly', 'Coastline'],
          ['Harvest Lane', 'Bean & Co', 'Crunchies', 'Golden Grove']][k + 1][CAST(rh(i, 22) % 4 AS INTEGER) + 1]
           AS brand,
         [[199, 2400], [60, 1500], [2, 60], [12, 220], [2, 35]][k + 1][1] AS low,
         [[199, 2400], [60, 1500], [2, 60], [12, 220], [2, 35]][k + 1][2] AS high
  FROM (SELECT i, CAST((i - 1) % 5 AS INTEGER) AS k, CAST(((i - 1) // 5) % 4 AS INTEGER) AS s FROM range(1, 201) t(i))
) p
ORDER BY p.i;

-- 40 stores: 8 online (two per region), 32 in-store (two per city), all opened before 2023.
INSERT INTO main.retail.stores
SELECT s.i AS store_id,
       CASE WHEN s.i <= 8 THEN 'Online ' || g.region || ' ' || CAST(1 + (s.i - 1) // 4 AS VARCHAR)
            ELSE g.city || ' ' || ['Downtown', 'Riverside', 'Central', 'Uptown', 'Mall', 'Airport', 'Harbor', 'Plaza']
              [CAST(((s.i - 9) % 2) * 4 + (s.i - 9) // 8 AS INTEGER) + 1] END AS store_name,
       g.region,
       g.city,
       CASE WHEN s.i <= 8 THEN 'Online' ELSE 'In-Store' END AS channel,
       CASE WHEN s.i <= 8 THEN DATE '2016-03-01' + CAST(rh(s.i, 32) % 2000 AS INTEGER)
            ELSE DATE '2012-01-01' + CAST(rh(s.i, 32) % 3900 AS INTEGER) END AS opened_date
FROM (
  SELECT i,
         ['North', 'South', 'East', 'West'][CAST(CASE WHEN i <= 8 THEN (i - 1) % 4 ELSE (i - 9) // 8 END AS INTEGER) + 1]
           AS region,
         CASE WHEN i <= 8 THEN 1 ELSE 1 + CAST(((i - 9) % 8) // 2 AS INTEGER) END AS idx
  FROM range(1, 41) t(i)
) s
JOIN geo g ON g.region = s.region AND g.idx = s.idx
ORDER BY s.i;

-- Orders: growth over the three years, a November–December peak and busier weekends.
INSERT INTO main.retail.orders
WITH days AS (
  SELECT d, DATE '2023-01-01' + CAST(d AS INTEGER) AS day FROM range(1096) t(d)
), counts AS (
  SELECT d, day,
         CAST(round(30 + 22 * d / 1095.0
                    + CASE month(day) WHEN 11 THEN 12 WHEN 12 THEN 20 ELSE 0 END
                    + CASE WHEN dayofweek(day) IN (0, 6) THEN 6 ELSE 0 END
                    + 10 * ru(d, 1) - 5) AS INTEGER) AS n
  FROM days
), numbered AS (
  SELECT row_number() OVER (ORDER BY d, k) AS order_id, d, day
  FROM (SELECT d, day, unnest(range(n)) AS k FROM counts)
), drawn AS (
  SELECT order_id, day,
         -- customers who had signed up by then (ids follow sign-up order), older customers ordering more
         LEAST(5000, GREATEST(1, floor(5000 * pow((1826 + d) / 2829.0, 1.25)))) AS eligible,
         ru(order_id, 2) < 0.35 AS online,
         ru(order_id, 4) AS u_status,
         ru(order_id, 5) AS u_pay,
         d
  FROM numbered
)
SELECT order_id,
       day AS order_date,
       1 + CAST(floor(eligible * pow(ru(order_id, 3), 1.35)) AS BIGINT) AS customer_id,
       CASE WHEN online THEN 1 + rh(order_id, 6) % 8 ELSE 9 + rh(order_id, 6) % 32 END AS store_id,
       CASE WHEN u_status < 0.04 THEN 'cancelled'
            WHEN u_status < 0.04 + CASE WHEN online THEN 0.11 ELSE 0.05 END + 0.02 * d / 1095.0 THEN 'returned'
            ELSE 'completed' END AS status,
       CASE WHEN online THEN CASE WHEN u_pay < 0.55 THEN 'card' WHEN u_pay < 0.9 THEN 'paypal' ELSE 'gift_card' END
            ELSE CASE WHEN u_pay < 0.6 THEN 'card' WHEN u_pay < 0.9 THEN 'cash' ELSE 'gift_card' END END
         AS payment_method
FROM drawn
ORDER BY order_id;

-- Order lines: 1–4 per order; popular products sell more; prices rise 4 % a year; most lines carry no discount.
INSERT INTO main.retail.order_items
WITH lines AS (
  SELECT o.order_id, o.order_date, unnest(range(1, 2 + CAST(rh(o.order_id, 7) % 4 AS INTEGER))) AS line_number
  FROM main.retail.orders o
), picked AS (
  SELECT l.*, l.order_id * 8 + l.line_number AS n,
         1 + CAST(floor(200 * pow(ru(l.order_id * 8 + l.line_number, 8), 1.6)) AS BIGINT) AS product_id
  FROM lines l
)
SELECT x.order_id,
       x.line_number,
       x.product_id,
       CASE WHEN p.category IN ('Grocery', 'Office Supplies') THEN 1 + rh(x.n, 9) % 6 ELSE 1 + rh(x.n, 9) % 3 END
         AS quantity,
       CAST(round(p.list_price * (1 + 0.04 * (year(x.order_date) - 2023)), 2) AS DECIMAL(10,2)) AS unit_price,
       CAST(CASE WHEN ru(x.n, 10) < 0.6 THEN 0 WHEN ru(x.n, 10) < 0.8 THEN 0.05 WHEN ru(x.n, 10) < 0.9 THEN 0.1
                 WHEN ru(x.n, 10) < 0.95 THEN 0.2 WHEN ru(x.n, 10) < 0.99 THEN 0.3 ELSE 0.5 END AS DECIMAL(4,2))
         AS discount
FROM picked x
JOIN main.retail.products p ON p.product_id = x.product_id
ORDER BY x.order_id, x.line_number;

