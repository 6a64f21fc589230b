-- Demo traceability data: batches of Tân Cương tea with their journey from tea garden to pack, a
-- GTIN on one product, certificates, and a few serialised pack codes. Runs after demo.sql, inside
-- DemoData.SeedIfEmptyAsync's transaction. It finds the cooperative through its demo member
-- (0900000003) and its tea products by name, so it does not depend on demo.sql's ids or slugs.

CREATE TEMP TABLE demo_tea ON COMMIT DROP AS
SELECT p.id, p.seller_id, row_number() OVER (ORDER BY p.id) AS n
FROM products p
JOIN seller_members m ON m.seller_id = p.seller_id
JOIN users u ON u.id = m.user_id AND u.phone = '0900000003'
WHERE p.name ILIKE 'chè%' AND p.status = 'published'
ORDER BY p.id
LIMIT 3;

-- GTIN-13 8936042000017 (GS1 Việt Nam prefix 893), stored as GTIN-14.
UPDATE products SET gtin = '08936042000017' WHERE id = (SELECT id FROM demo_tea WHERE n = 1);

INSERT INTO trace_batches (product_id, lot_code, code, quantity, unit, produced_on, expires_on, note, created_by)
SELECT t.id, b.lot, b.code, b.quantity, b.unit, (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - b.age,
       (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date - b.age + 365, b.note, (SELECT id FROM users WHERE phone = '0900000003')
FROM demo_tea t
JOIN (VALUES (1, 'TC2025-A', 'TCDB25AQ', 120.0, 'kg', 12, 'Vụ chè xuân, đồi Hồng Thái'),
             (2, 'TC2025-B', 'TCMC25BQ', 80.0, 'kg', 20, 'Chè móc câu sao sấy bằng tôn quay'),
             (3, 'TC2025-C', 'TCNT25CM', 40.0, 'kg', 30, 'Nõn tôm hái một tôm một lá'))
    AS b (n, lot, code, quantity, unit, age, note) ON b.n = t.n;

-- The journey of each batch: care, harvest, withering, rolling, drying, packaging, inspection.
INSERT INTO trace_events (batch_id, kind, occurred_at, province_code, commune_code, latitude, longitude, actor, note, created_by)
SELECT b.id, e.kind, ((b.produced_on - e.days_before) + e.at_time) AT TIME ZONE 'Asia/Ho_Chi_Minh',
       '19', '05503', e.lat, e.lon, e.actor, e.note, b.created_by
FROM trace_batches b
JOIN demo_tea t ON t.id = b.product_id
CROSS JOIN (VALUES
    ('care', 20, time '07:30', 21.570800, 105.757900, 'Tổ chăm sóc đồi Hồng Thái', 'Bón phân hữu cơ vi sinh, làm cỏ bằng tay; không phun thuốc trừ cỏ.'),
    ('harvest', 1, time '06:00', 21.571200, 105.758300, 'Nhóm hái chè bà Lương', 'Hái một tôm hai lá vào sáng sớm; 480 kg búp tươi.'),
    ('withering', 1, time '10:00', NULL, NULL, 'Xưởng chè HTX', 'Làm héo trên nong tre 3 giờ.'),
    ('rolling', 1, time '13:30', NULL, NULL, 'Xưởng chè HTX', 'Vò bằng máy vò mini 25 phút.'),
    ('drying', 1, time '15:00', NULL, NULL, 'Anh Tuấn', 'Sao trên chảo tôn quay bằng củi, lên hương 40 phút.'),
    ('packaging', 0, time '09:00', NULL, NULL, 'Xưởng chè HTX', 'Đóng gói hút chân không.'),
    ('inspection', 0, time '14:00', NULL, NULL, 'Trung tâm Kiểm nghiệm Thái Nguyên', 'Đạt chỉ tiêu dư lượng thuốc bảo vệ thực vật.'))
    AS e (kind, days_before, at_time, lat, lon, actor, note);

-- A few serialised pack codes on the first batch (demo values; real ones are random).
INSERT INTO trace_units (batch_id, serial)
SELECT b.id, s FROM trace_batches b, unnest(ARRAY['K7M4Q2XPAB', 'K7M4Q2XPBD', 'K7M4Q2XPCF', 'K7M4Q2XPDH']) AS s
WHERE b.code = 'TCDB25AQ';

INSERT INTO trace_certificates (seller_id, product_id, kind, number, issuer, valid_from, valid_to)
SELECT t.seller_id, c.product, c.kind, c.number, c.issuer, current_date + c.from_days, current_date + c.to_days
FROM (SELECT DISTINCT seller_id FROM demo_tea) t
CROSS JOIN LATERAL (VALUES
    (NULL::bigint, 'vietgap', 'VietGAP-TT-19-01-0042', 'Trung tâm Chứng nhận VietGAP', -400, 700),
    ((SELECT id FROM demo_tea WHERE n = 1), 'ocop', 'OCOP-TN-2024-5S-017', 'UBND tỉnh Thái Nguyên', -300, 800),
    (NULL::bigint, 'organic', 'ORG-2021-0099', 'Tổ chức chứng nhận hữu cơ (đã hết hạn)', -1500, -30))
    AS c (product, kind, number, issuer, from_days, to_days);
