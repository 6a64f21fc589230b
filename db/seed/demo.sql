-- Demo data: Thái Nguyên markets with stalls, cooperatives and farm households, and their products.
-- Runs once, inside DemoData.SeedIfEmptyAsync's transaction, after the demo accounts exist.

INSERT INTO markets (slug, name, province_code, commune_code, address_line) VALUES
    ('cho-thai', 'Chợ Thái', '19', '05443', 'Đường Hoàng Văn Thụ'),
    ('cho-tan-cuong', 'Chợ Tân Cương', '19', '05503', 'Xóm Hồng Thái 2'),
    ('cho-dai-tu', 'Chợ Đại Từ', '19', '05830', 'Tổ dân phố Sơn Tập'),
    ('cho-trai-cau', 'Chợ Trại Cau', '19', '05662', 'Tổ dân phố 3');

INSERT INTO market_managers (market_id, user_id)
SELECT m.id, u.id FROM markets m, users u WHERE u.phone = '0900000002';

INSERT INTO stalls (market_id, stall_number, name, goods, owner_user_id)
SELECT m.id, s.stall_number, s.name, s.goods,
       CASE WHEN m.slug = 'cho-thai' AND s.stall_number = 'A01' THEN (SELECT id FROM users WHERE phone = '0900000004') END
FROM markets m
CROSS JOIN (VALUES ('A01', 'Sạp chè bà Hoa', 'chè búp, chè móc câu'),
                   ('A02', 'Sạp rau sạch', 'rau, củ, quả'),
                   ('B01', 'Sạp gạo nếp', 'gạo Bao Thai, nếp vải'),
                   ('B02', 'Sạp thịt lợn', 'thịt lợn, giò chả')) AS s (stall_number, name, goods);

INSERT INTO categories (slug, name, name_en, sort_order) VALUES
    ('che', 'Chè', 'Tea', 1),
    ('gao', 'Gạo', 'Rice', 2),
    ('rau-qua', 'Rau quả', 'Fruit and vegetables', 3),
    ('dac-san', 'Đặc sản', 'Specialities', 4);

INSERT INTO sellers (slug, name, kind, tax_code, province_code, commune_code, address_line, phone, description, status, reviewed_at) VALUES
    ('htx-che-tan-cuong', 'HTX Chè Tân Cương', 'cooperative', '4600123456', '19', '05503', 'Xóm Hồng Thái 2', '0280123456',
     'Hợp tác xã chè đặc sản Tân Cương: chè búp, chè móc câu, chè nõn tôm.', 'approved', now()),
    ('htx-che-la-bang', 'HTX Chè La Bằng', 'cooperative', '4600234567', '19', '05818', 'Xóm Lập Mỹ', '0280234567',
     'Chè La Bằng dưới chân núi Tam Đảo.', 'approved', now()),
    ('htx-gao-bao-thai-dinh-hoa', 'HTX Gạo Bao Thai Định Hóa', 'cooperative', NULL, '19', '05830', 'Xóm Bản Mới', NULL,
     'Gạo Bao Thai và nếp vải.', 'approved', now()),
    ('nong-ho-nguyen-van-an', 'Nông hộ Nguyễn Văn An', 'household', NULL, '19', '05662', 'Xóm Đồng Kiệm', NULL,
     'Rau quả theo mùa.', 'approved', now()),
    ('htx-dac-san-trai-cau', 'HTX Đặc sản Trại Cau', 'cooperative', NULL, '19', '05662', 'Tổ dân phố 5', NULL,
     'Măng khô, mật ong, miến dong.', 'approved', now()),
    ('nong-ho-le-thi-mai', 'Nông hộ Lê Thị Mai', 'household', NULL, '19', '05443', 'Tổ 12', NULL,
     'Rau sạch và trứng gà ta.', 'approved', now());

INSERT INTO seller_members (seller_id, user_id, role)
SELECT s.id, u.id, 'owner' FROM sellers s JOIN users u
    ON (s.slug = 'htx-che-tan-cuong' AND u.phone = '0900000003') OR (s.slug = 'htx-che-la-bang' AND u.phone = '0900000007');

-- Named products first, then numbered grades so the catalogue has some depth.
INSERT INTO products (seller_id, category_id, slug, name, description_md, unit, price_vnd, stock, ocop_stars,
                      certifications, origin_province_code, origin_commune_code, status)
SELECT s.id, c.id, p.slug, p.name, p.description, p.unit, p.price, p.stock, p.ocop, p.certs, '19', s.commune_code, 'published'
FROM (VALUES
    ('htx-che-tan-cuong', 'che', 'che-tan-cuong-dac-biet', 'Chè Tân Cương đặc biệt', 'Chè búp non sao tay.', 'gói 200 g', 180000, 120, 5::smallint, ARRAY['VietGAP']),
    ('htx-che-tan-cuong', 'che', 'che-moc-cau-tan-cuong', 'Chè móc câu Tân Cương', 'Cánh chè xoăn như móc câu.', 'gói 500 g', 350000, 80, 4::smallint, ARRAY['VietGAP']),
    ('htx-che-tan-cuong', 'che', 'che-non-tom-tan-cuong', 'Chè nõn tôm Tân Cương', 'Một tôm một lá.', 'hộp 100 g', 250000, 40, 4::smallint, ARRAY[]::text[]),
    ('htx-che-la-bang', 'che', 'che-la-bang', 'Chè La Bằng', 'Chè xanh La Bằng.', 'gói 500 g', 220000, 60, 3::smallint, ARRAY[]::text[]),
    ('htx-gao-bao-thai-dinh-hoa', 'gao', 'gao-bao-thai-dinh-hoa', 'Gạo Bao Thai Định Hóa', 'Gạo dẻo thơm.', 'túi 5 kg', 120000, 200, 3::smallint, ARRAY[]::text[]),
    ('htx-dac-san-trai-cau', 'dac-san', 'mat-ong-rung', 'Mật ong rừng', 'Mật ong hoa rừng.', 'chai 500 ml', 200000, 30, NULL::smallint, ARRAY[]::text[]),
    ('nong-ho-nguyen-van-an', 'rau-qua', 'na-dai-tu', 'Na Đại Từ', 'Na dai ngọt.', 'kg', 60000, 100, NULL::smallint, ARRAY[]::text[]),
    ('nong-ho-le-thi-mai', 'rau-qua', 'rau-cai-ngot', 'Rau cải ngọt', 'Rau trồng không phun thuốc.', 'bó', 15000, 50, NULL::smallint, ARRAY[]::text[])
) AS p (seller_slug, category_slug, slug, name, description, unit, price, stock, ocop, certs)
JOIN sellers s ON s.slug = p.seller_slug
JOIN categories c ON c.slug = p.category_slug;

INSERT INTO products (seller_id, category_id, slug, name, unit, price_vnd, stock, origin_province_code, origin_commune_code, status)
SELECT s.id, c.id, s.slug || '-san-pham-' || g, base.name || ' loại ' || g, base.unit, base.price + g * 5000, 20 + g,
       '19', s.commune_code, 'published'
FROM generate_series(1, 11) AS g
CROSS JOIN (VALUES ('htx-che-tan-cuong', 'che', 'Chè búp Tân Cương', 'gói 200 g', 100000),
                   ('htx-che-la-bang', 'che', 'Chè xanh La Bằng', 'gói 200 g', 90000),
                   ('htx-gao-bao-thai-dinh-hoa', 'gao', 'Gạo nếp', 'kg', 25000),
                   ('htx-dac-san-trai-cau', 'dac-san', 'Măng khô', 'gói 500 g', 150000),
                   ('nong-ho-nguyen-van-an', 'rau-qua', 'Bưởi', 'quả', 30000),
                   ('nong-ho-le-thi-mai', 'rau-qua', 'Rau theo mùa', 'kg', 20000)) AS base (seller_slug, category_slug, name, unit, price)
JOIN sellers s ON s.slug = base.seller_slug
JOIN categories c ON c.slug = base.category_slug;
