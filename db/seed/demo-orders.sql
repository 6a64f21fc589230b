-- Demo orders: a few COD and VietQR-transfer orders in several statuses, so that the sellers'
-- order pages have something to show. Runs after demo.sql inside the same transaction.
-- Linked by codes, slugs and phones, never by id. Prices come from the products as seeded.

CREATE TEMP TABLE demo_orders ON COMMIT DROP AS
SELECT * FROM (VALUES
    ('DH-TC2K7M', 'htx-che-tan-cuong', 'Hoàng Văn Mua', '0900000006', 'Thái Nguyên', 'phuong phan dinh phung',
     'Số 12 ngõ 45 đường Lương Ngọc Quyến', 'Giao giờ hành chính giúp em.', 'cod', 'placed', false, interval '2 hours'),
    ('DH-TC3H8N', 'htx-che-tan-cuong', 'Nguyễn Thị Lan', '0912345678', 'Hà Nội', 'phuong hoan kiem',
     'Số 8 phố Hàng Bạc', '', 'transfer', 'placed', false, interval '5 hours'),
    ('DH-TC5W2Q', 'htx-che-tan-cuong', 'Trần Minh Đức', '0987654321', 'Hà Nội', 'phuong ba dinh',
     'Số 3 phố Đội Cấn', 'Quà biếu, xin gói cẩn thận.', 'transfer', 'confirmed', true, interval '1 day'),
    ('DH-TC6Y4R', 'htx-che-tan-cuong', 'Hoàng Văn Mua', '0900000006', 'Thái Nguyên', 'phuong phan dinh phung',
     'Số 12 ngõ 45 đường Lương Ngọc Quyến', '', 'cod', 'shipped', false, interval '2 days'),
    ('DH-TC8D3S', 'htx-che-tan-cuong', 'Lê Thị Thu', '0356789012', 'Thái Nguyên', 'xa tan cuong',
     'Xóm Nam Đồng', '', 'cod', 'delivered', false, interval '6 days'),
    ('DH-BA4G7T', 'htx-che-la-bang', 'Phạm Quốc Huy', '0778123456', 'Hà Nội', 'phuong hoan kiem',
     'Số 21 phố Hàng Gai', 'Gọi trước khi giao.', 'cod', 'placed', false, interval '3 hours'),
    ('DH-BA9E2V', 'htx-che-la-bang', 'Vũ Thị Mai', '0834567890', 'Thái Nguyên', 'phuong phan dinh phung',
     'Số 5 đường Hoàng Văn Thụ', '', 'cod', 'cancelled', false, interval '4 days'),
    ('DH-NA3F6W', 'htx-nong-lam-san-ba-be', 'Đặng Văn Nam', '0967111222', 'Hà Nội', 'phuong ba dinh',
     'Số 40 phố Kim Mã', '', 'transfer', 'delivered', true, interval '8 days')
) AS v (code, seller, customer_name, customer_phone, province, commune, address_line, note, payment_method, status, paid, age);

CREATE TEMP TABLE demo_order_items ON COMMIT DROP AS
SELECT * FROM (VALUES
    ('DH-TC2K7M', 'che-tan-cuong-dac-biet-200g', 2),
    ('DH-TC2K7M', 'tra-moc-cau-tan-cuong-goi-100g', 1),
    ('DH-TC3H8N', 'che-non-tom-tan-cuong', 1),
    ('DH-TC5W2Q', 'hop-qua-che-tan-cuong-xuan', 2),
    ('DH-TC6Y4R', 'che-bup-tan-cuong-loai-1', 3),
    ('DH-TC8D3S', 'che-xanh-tan-cuong-hang-ngay-1kg', 2),
    ('DH-BA4G7T', 'che-la-bang-dac-san', 1),
    ('DH-BA4G7T', 'che-bup-la-bang-hang-ngay', 1),
    ('DH-BA9E2V', 'che-moc-cau-la-bang', 1),
    ('DH-NA3F6W', 'mien-dong-na-ri-500g', 4),
    ('DH-NA3F6W', 'mat-ong-rung-ba-be', 1)
) AS v (code, product, quantity);

INSERT INTO checkout_groups (idempotency_key, access_token, user_id, created_at)
SELECT md5('demo-checkout-' || d.code)::uuid, md5(random()::text || clock_timestamp()::text || d.code),
       (SELECT id FROM users WHERE phone = d.customer_phone), now() - d.age
FROM demo_orders d;

INSERT INTO orders (code, access_token, checkout_group_id, seller_id, user_id, customer_name, customer_phone,
                    province_code, commune_code, address_line, note, payment_method, status,
                    subtotal_vnd, shipping_fee_vnd, total_vnd, payment_status, paid_amount_vnd, paid_at,
                    payment_provider_transaction_id, carrier, tracking_code, created_at, updated_at)
SELECT d.code, md5(random()::text || clock_timestamp()::text || 'order' || d.code),
       g.id, s.id, g.user_id, d.customer_name, d.customer_phone, pr.code,
       (SELECT c.code FROM communes c WHERE c.province_code = pr.code AND c.name_folded = d.commune ORDER BY c.code LIMIT 1),
       d.address_line, d.note, d.payment_method, d.status,
       t.subtotal, 30000, t.subtotal + 30000,
       CASE WHEN d.paid THEN 'paid' ELSE 'unpaid' END,
       CASE WHEN d.paid THEN t.subtotal + 30000 END,
       CASE WHEN d.paid THEN now() - d.age + interval '20 minutes' END,
       CASE WHEN d.paid THEN 'DEMO-' || d.code END,
       CASE WHEN d.status IN ('shipped', 'delivered') THEN 'Viettel Post' END,
       CASE WHEN d.status IN ('shipped', 'delivered') THEN 'VTP' || substr(md5(d.code), 1, 9) END,
       now() - d.age, now() - d.age
FROM demo_orders d
JOIN checkout_groups g ON g.idempotency_key = md5('demo-checkout-' || d.code)::uuid
JOIN sellers s ON s.slug = d.seller
JOIN provinces pr ON pr.name = d.province
JOIN LATERAL (SELECT sum(p.price_vnd * i.quantity) AS subtotal
              FROM demo_order_items i JOIN products p ON p.slug = i.product
              WHERE i.code = d.code) t ON true
ORDER BY d.age DESC;

INSERT INTO order_items (order_id, product_id, product_name, unit, unit_price_vnd, quantity, line_total_vnd)
SELECT o.id, p.id, p.name, p.unit, p.price_vnd, i.quantity, p.price_vnd * i.quantity
FROM demo_order_items i
JOIN orders o ON o.code = i.code
JOIN products p ON p.slug = i.product;

-- History: each order walked its status chain, an hour or so apart, by the seller's member where there is one.
INSERT INTO order_events (order_id, kind, from_status, to_status, actor_user_id, actor_kind, detail, created_at)
SELECT o.id, step.status, step.previous, step.status,
       CASE WHEN step.status = 'placed' THEN o.user_id
            ELSE (SELECT m.user_id FROM seller_members m WHERE m.seller_id = o.seller_id ORDER BY m.user_id LIMIT 1) END,
       CASE WHEN step.status = 'placed' THEN 'shopper' ELSE 'seller' END,
       CASE WHEN step.status = 'placed' THEN o.payment_method
            WHEN step.status = 'shipped' THEN o.carrier || ' · ' || o.tracking_code ELSE '' END,
       o.created_at + (step.n - 1) * interval '3 hours'
FROM orders o
JOIN demo_orders d ON d.code = o.code
JOIN LATERAL (
    SELECT chain.status, lag(chain.status) OVER (ORDER BY chain.n) AS previous, chain.n
    FROM unnest(CASE d.status
                    WHEN 'placed' THEN ARRAY['placed']
                    WHEN 'confirmed' THEN ARRAY['placed', 'confirmed']
                    WHEN 'shipped' THEN ARRAY['placed', 'confirmed', 'shipped']
                    WHEN 'delivered' THEN ARRAY['placed', 'confirmed', 'shipped', 'delivered']
                    WHEN 'cancelled' THEN ARRAY['placed', 'cancelled']
                END) WITH ORDINALITY AS chain (status, n)
) step ON true
ORDER BY o.id, step.n;

INSERT INTO order_events (order_id, kind, actor_kind, detail, created_at)
SELECT o.id, 'paid', 'bank', o.payment_provider_transaction_id, o.paid_at
FROM orders o JOIN demo_orders d ON d.code = o.code
WHERE o.payment_status = 'paid';

-- Orders still open hold their stock (cancelled ones gave it back).
UPDATE products p SET stock = p.stock - x.quantity
FROM (SELECT i.product_id, sum(i.quantity) AS quantity
      FROM order_items i JOIN orders o ON o.id = i.order_id
      WHERE o.status NOT IN ('cancelled', 'returned')
      GROUP BY i.product_id) x
WHERE p.id = x.product_id;

DO $check$
BEGIN
    IF (SELECT count(*) FROM orders) <> (SELECT count(*) FROM demo_orders)
       OR EXISTS (SELECT 1 FROM demo_order_items i WHERE NOT EXISTS (SELECT 1 FROM products p WHERE p.slug = i.product)) THEN
        RAISE EXCEPTION 'demo-orders.sql: an order, seller or product in the seed data did not match';
    END IF;
END
$check$;
