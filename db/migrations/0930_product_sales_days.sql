-- Issue 15: what each product sold per Vietnam day, kept current by the write path, so that the nightly report's top
-- products read a few thousand rows instead of joining the day's order lines (a million on a big day) to their orders.
--
-- A row counts the order lines of one (day, seller, product, name as sold, unit as sold) whose order is not cancelled or
-- returned — exactly the lines the report's top products counted: day = the Vietnam day of orders.created_at, seller =
-- orders.seller_id, live = orders.status NOT IN ('cancelled', 'returned'). The name and unit as sold are part of the key
-- (a product renamed during the day has one row per name), so a cancelled line can be taken back exactly, and the report's
-- "largest name and unit as sold among the day's live lines" is max() over the rows with line_count > 0, as before. Rows
-- that fall to zero stay (with zero counts); the report skips them.
--
-- Kept by statement-level triggers with transition tables, in the same transaction as the change that moves them: every
-- writer of order_items (checkout, the demo seed, COPY in the benchmarks) and of orders (cancel, return, expiry of unpaid
-- transfers, anything else that changes status, created_at or seller_id) is covered by construction. Before touching a
-- product's rows a trigger locks the products concerned in id order (FOR NO KEY UPDATE, the lock a stock update takes):
-- checkout already holds them (it takes stock in id order before inserting lines) and cancel/return/expiry take them here,
-- before their own stock update, so no two writers wait on each other's product and sales rows in opposite orders.
--
-- Deltas are added with INSERT … ON CONFLICT DO UPDATE (grouped by key, so one statement touches each row once); a row
-- is never expected to go negative, but no CHECK refuses it: a drift must not fail a checkout. The tests compare the
-- table with a recomputation from order_items after checkouts, cancels and returns.
CREATE TABLE product_sales_days (
    sale_day     date   NOT NULL,
    seller_id    bigint NOT NULL,
    product_id   bigint NOT NULL,
    product_name text   NOT NULL,
    unit         text   NOT NULL,
    line_count   bigint NOT NULL,
    quantity     bigint NOT NULL,
    revenue_vnd  bigint NOT NULL,
    PRIMARY KEY (sale_day, seller_id, product_id, product_name, unit)
);
COMMENT ON TABLE product_sales_days IS
    'Per Vietnam day (of orders.created_at), seller, product, name and unit as sold: the lines of orders not cancelled or returned. Kept by triggers on order_items and orders; see docs/features/reports.md.';

CREATE FUNCTION product_sales_days_from_items() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The lines' day, seller and status come from their order as it is now. Lines deleted together with their order
    -- find no order here: orders' delete trigger took them off before.
    IF TG_OP = 'INSERT' THEN
        PERFORM 1 FROM products WHERE id IN (SELECT product_id FROM new_items) ORDER BY id FOR NO KEY UPDATE;
        INSERT INTO product_sales_days AS t (sale_day, seller_id, product_id, product_name, unit, line_count, quantity, revenue_vnd)
        SELECT (o.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, o.seller_id, i.product_id, i.product_name, i.unit,
               count(*), sum(i.quantity), sum(i.line_total_vnd)
        FROM new_items i JOIN orders o ON o.id = i.order_id
        WHERE o.status NOT IN ('cancelled', 'returned')
        GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (sale_day, seller_id, product_id, product_name, unit) DO UPDATE
        SET line_count = t.line_count + excluded.line_count, quantity = t.quantity + excluded.quantity,
            revenue_vnd = t.revenue_vnd + excluded.revenue_vnd;
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM 1 FROM products WHERE id IN (SELECT product_id FROM old_items UNION SELECT product_id FROM new_items)
        ORDER BY id FOR NO KEY UPDATE;
        INSERT INTO product_sales_days AS t (sale_day, seller_id, product_id, product_name, unit, line_count, quantity, revenue_vnd)
        SELECT (o.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, o.seller_id, d.product_id, d.product_name, d.unit,
               sum(d.n), sum(d.quantity), sum(d.vnd)
        FROM (SELECT order_id, product_id, product_name, unit, -1 AS n, -quantity AS quantity, -line_total_vnd AS vnd FROM old_items
              UNION ALL
              SELECT order_id, product_id, product_name, unit, 1, quantity, line_total_vnd FROM new_items) d
        JOIN orders o ON o.id = d.order_id
        WHERE o.status NOT IN ('cancelled', 'returned')
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(d.n) <> 0 OR sum(d.quantity) <> 0 OR sum(d.vnd) <> 0
        ON CONFLICT (sale_day, seller_id, product_id, product_name, unit) DO UPDATE
        SET line_count = t.line_count + excluded.line_count, quantity = t.quantity + excluded.quantity,
            revenue_vnd = t.revenue_vnd + excluded.revenue_vnd;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM products WHERE id IN (SELECT product_id FROM old_items) ORDER BY id FOR NO KEY UPDATE;
        INSERT INTO product_sales_days AS t (sale_day, seller_id, product_id, product_name, unit, line_count, quantity, revenue_vnd)
        SELECT (o.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, o.seller_id, i.product_id, i.product_name, i.unit,
               -count(*), -sum(i.quantity), -sum(i.line_total_vnd)
        FROM old_items i JOIN orders o ON o.id = i.order_id
        WHERE o.status NOT IN ('cancelled', 'returned')
        GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (sale_day, seller_id, product_id, product_name, unit) DO UPDATE
        SET line_count = t.line_count + excluded.line_count, quantity = t.quantity + excluded.quantity,
            revenue_vnd = t.revenue_vnd + excluded.revenue_vnd;
    ELSE -- TRUNCATE
        DELETE FROM product_sales_days;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER order_items_sales_insert AFTER INSERT ON order_items
    REFERENCING NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION product_sales_days_from_items();
CREATE TRIGGER order_items_sales_update AFTER UPDATE ON order_items
    REFERENCING OLD TABLE AS old_items NEW TABLE AS new_items FOR EACH STATEMENT EXECUTE FUNCTION product_sales_days_from_items();
CREATE TRIGGER order_items_sales_delete AFTER DELETE ON order_items
    REFERENCING OLD TABLE AS old_items FOR EACH STATEMENT EXECUTE FUNCTION product_sales_days_from_items();
CREATE TRIGGER order_items_sales_truncate AFTER TRUNCATE ON order_items
    FOR EACH STATEMENT EXECUTE FUNCTION product_sales_days_from_items();

-- An order whose counting changes — cancelled or returned (or back), or moved to another day or seller — takes its lines
-- off the old key and puts them on the new one. Every other update of orders (payments, carrier, updated_at) finds
-- nothing to move and returns after one look at the statement's rows.
CREATE FUNCTION product_sales_days_from_orders() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM old_orders o JOIN new_orders n ON n.id = o.id
                   WHERE (o.status IN ('cancelled', 'returned')) <> (n.status IN ('cancelled', 'returned'))
                      OR o.created_at <> n.created_at OR o.seller_id <> n.seller_id) THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM products WHERE id IN (
        SELECT i.product_id FROM old_orders o JOIN new_orders n ON n.id = o.id JOIN order_items i ON i.order_id = o.id
        WHERE (o.status IN ('cancelled', 'returned')) <> (n.status IN ('cancelled', 'returned'))
           OR o.created_at <> n.created_at OR o.seller_id <> n.seller_id)
    ORDER BY id FOR NO KEY UPDATE;
    INSERT INTO product_sales_days AS t (sale_day, seller_id, product_id, product_name, unit, line_count, quantity, revenue_vnd)
    SELECT d.sale_day, d.seller_id, d.product_id, d.product_name, d.unit, sum(d.n), sum(d.quantity), sum(d.vnd)
    FROM (SELECT (o.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS sale_day, o.seller_id, i.product_id, i.product_name, i.unit,
                 -1 AS n, -i.quantity AS quantity, -i.line_total_vnd AS vnd
          FROM old_orders o JOIN order_items i ON i.order_id = o.id
          WHERE o.status NOT IN ('cancelled', 'returned')
          UNION ALL
          SELECT (n.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, n.seller_id, i.product_id, i.product_name, i.unit,
                 1, i.quantity, i.line_total_vnd
          FROM new_orders n JOIN order_items i ON i.order_id = n.id
          WHERE n.status NOT IN ('cancelled', 'returned')) d
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(d.n) <> 0 OR sum(d.quantity) <> 0 OR sum(d.vnd) <> 0
    ON CONFLICT (sale_day, seller_id, product_id, product_name, unit) DO UPDATE
    SET line_count = t.line_count + excluded.line_count, quantity = t.quantity + excluded.quantity,
        revenue_vnd = t.revenue_vnd + excluded.revenue_vnd;
    RETURN NULL;
END
$$;
CREATE TRIGGER orders_sales_update AFTER UPDATE ON orders
    REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders FOR EACH STATEMENT EXECUTE FUNCTION product_sales_days_from_orders();

-- An order deleted with its lines (nothing in the product does it) takes them off while they still exist: the lines'
-- own delete trigger runs after the order is gone and finds nothing to take.
CREATE FUNCTION product_sales_days_order_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status NOT IN ('cancelled', 'returned') THEN
        PERFORM 1 FROM products WHERE id IN (SELECT product_id FROM order_items WHERE order_id = OLD.id) ORDER BY id FOR NO KEY UPDATE;
        INSERT INTO product_sales_days AS t (sale_day, seller_id, product_id, product_name, unit, line_count, quantity, revenue_vnd)
        SELECT (OLD.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, OLD.seller_id, i.product_id, i.product_name, i.unit,
               -count(*), -sum(i.quantity), -sum(i.line_total_vnd)
        FROM order_items i WHERE i.order_id = OLD.id
        GROUP BY 1, 2, 3, 4, 5
        ON CONFLICT (sale_day, seller_id, product_id, product_name, unit) DO UPDATE
        SET line_count = t.line_count + excluded.line_count, quantity = t.quantity + excluded.quantity,
            revenue_vnd = t.revenue_vnd + excluded.revenue_vnd;
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER orders_sales_delete BEFORE DELETE ON orders FOR EACH ROW EXECUTE FUNCTION product_sales_days_order_deleted();

-- Backfill: the orders placed so far.
INSERT INTO product_sales_days (sale_day, seller_id, product_id, product_name, unit, line_count, quantity, revenue_vnd)
SELECT (o.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, o.seller_id, i.product_id, i.product_name, i.unit,
       count(*), sum(i.quantity), sum(i.line_total_vnd)
FROM order_items i JOIN orders o ON o.id = i.order_id
WHERE o.status NOT IN ('cancelled', 'returned')
GROUP BY 1, 2, 3, 4, 5;
