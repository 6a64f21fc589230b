-- Demo data for Chợ 4.0: markets and stalls in Thái Nguyên, sellers (tea cooperatives, a farm
-- household, speciality cooperatives), categories and a believable catalogue.
--
-- Runs once, inside the caller's transaction, on a database that already has the 2025
-- administrative units and the seven demo accounts (0900000001 … 0900000007, see DemoData.cs).
-- Rows are linked by slug and phone, never by id. Communes are looked up by their folded name
-- (f_search_fold), so a missing commune gives NULL rather than an error.

-- ---------------------------------------------------------------------------------------------
-- Markets
-- ---------------------------------------------------------------------------------------------
INSERT INTO markets (slug, name, province_code, commune_code, address_line, address_as_entered, created_at)
SELECT v.slug, v.name, pr.code,
       (SELECT c.code FROM communes c WHERE c.province_code = pr.code AND c.name_folded = v.commune
        ORDER BY c.code LIMIT 1),
       v.address_line, v.address_as_entered, now() - v.age
FROM (VALUES
    ('cho-thai', 'Chợ Thái (Chợ Trung tâm Thái Nguyên)', 'phuong phan dinh phung',
     'Đường Hoàng Văn Thụ, phường Phan Đình Phùng, tỉnh Thái Nguyên',
     'Chợ Thái, đường Hoàng Văn Thụ, TP Thái Nguyên', interval '120 days'),
    ('cho-tuc-duyen', 'Chợ Túc Duyên', 'phuong phan dinh phung',
     'Đường Túc Duyên, phường Phan Đình Phùng, tỉnh Thái Nguyên',
     'Chợ Túc Duyên, phường Túc Duyên, TP Thái Nguyên', interval '118 days'),
    ('cho-dong-quang', 'Chợ Đồng Quang', 'phuong phan dinh phung',
     'Đường Minh Cầu, phường Phan Đình Phùng, tỉnh Thái Nguyên',
     'Chợ Đồng Quang, phường Đồng Quang, TP Thái Nguyên', interval '100 days'),
    ('cho-dai-tu', 'Chợ Đại Từ', 'xa dai tu',
     'Trung tâm xã Đại Từ, tỉnh Thái Nguyên',
     'Chợ Đại Từ, thị trấn Hùng Sơn, huyện Đại Từ, tỉnh Thái Nguyên', interval '90 days')
) AS v (slug, name, commune, address_line, address_as_entered, age)
JOIN provinces pr ON pr.name = 'Thái Nguyên'
ORDER BY v.age DESC;

INSERT INTO market_managers (market_id, user_id)
SELECT m.id, u.id
FROM markets m, users u
WHERE m.slug IN ('cho-thai', 'cho-tuc-duyen') AND u.phone = '0900000002';

-- ---------------------------------------------------------------------------------------------
-- Stalls (the first market's A01 belongs to the demo stallholder, set up by the digital helper)
-- ---------------------------------------------------------------------------------------------
INSERT INTO stalls (market_id, stall_number, name, goods, owner_user_id, created_by_user_id)
SELECT (SELECT id FROM markets WHERE slug = v.market),
       v.stall_number, v.name, v.goods,
       (SELECT id FROM users WHERE phone = v.owner_phone),
       (SELECT id FROM users WHERE phone = v.creator_phone)
FROM (VALUES
    ('cho-thai', 'A01', 'Rau sạch cô Hoa', 'Rau, củ, quả', '0900000004', '0900000005'),
    ('cho-thai', 'A02', 'Rau củ Đà Lạt chị Mai', 'Rau củ Đà Lạt, nấm tươi', NULL, NULL),
    ('cho-thai', 'A05', 'Hoa quả Minh Thu', 'Trái cây theo mùa, hoa quả nhập khẩu', NULL, NULL),
    ('cho-thai', 'A08', 'Đậu phụ, giá đỗ bà Tư', 'Đậu phụ, giá đỗ, bún tươi', NULL, NULL),
    ('cho-thai', 'B03', 'Thịt lợn sạch anh Tuấn', 'Thịt lợn, xương, nội tạng', NULL, NULL),
    ('cho-thai', 'B07', 'Gà ta Phú Bình chị Lan', 'Gà ta, vịt, trứng gà', NULL, NULL),
    ('cho-thai', 'B12', 'Cá sông Cầu cô Ngân', 'Cá sông, tôm, cua đồng', NULL, NULL),
    ('cho-thai', 'C02', 'Chè Tân Cương bà Lý', 'Chè búp, chè móc câu, chè nõn tôm', NULL, NULL),
    ('cho-thai', 'C05', 'Gạo Bao Thai cô Thu', 'Gạo tẻ, gạo nếp, ngô, đỗ', NULL, NULL),
    ('cho-thai', 'C09', 'Đồ khô Hương Giang', 'Miến dong, mộc nhĩ, nấm hương, măng khô', NULL, NULL),
    ('cho-thai', 'D04', 'Quần áo trẻ em Bảo Ngọc', 'Quần áo, mũ nón trẻ em', NULL, NULL),
    ('cho-thai', 'D10', 'Tạp hóa Hùng Vân', 'Bánh kẹo, gia vị, đồ dùng gia đình', NULL, NULL),

    ('cho-tuc-duyen', 'A01', 'Rau sạch chị Hằng', 'Rau ăn lá, rau thơm', NULL, NULL),
    ('cho-tuc-duyen', 'A03', 'Hoa quả cô Nga', 'Na, bưởi, cam, quýt theo mùa', NULL, NULL),
    ('cho-tuc-duyen', 'A06', 'Bún, bánh cuốn bà Chín', 'Bún tươi, bánh phở, bánh cuốn', NULL, NULL),
    ('cho-tuc-duyen', 'B02', 'Thịt bò, thịt trâu anh Hải', 'Thịt bò, thịt trâu tươi', NULL, NULL),
    ('cho-tuc-duyen', 'B05', 'Hải sản chị Thủy', 'Mực, tôm, cá biển', NULL, NULL),
    ('cho-tuc-duyen', 'B08', 'Trứng gà vịt cô Huệ', 'Trứng gà ta, trứng vịt, trứng vịt lộn', NULL, NULL),
    ('cho-tuc-duyen', 'C01', 'Chè Thái chị Dung', 'Chè Tân Cương, chè La Bằng', NULL, NULL),
    ('cho-tuc-duyen', 'C04', 'Gia vị, đồ khô bà Sáu', 'Hành, tỏi, gừng, ớt, đồ khô', NULL, NULL),
    ('cho-tuc-duyen', 'C07', 'Hoa tươi Thanh Xuân', 'Hoa tươi, hoa cúng', NULL, NULL),
    ('cho-tuc-duyen', 'D02', 'Đồ gia dụng Phúc An', 'Đồ nhựa, xoong nồi, dao kéo', NULL, NULL),

    ('cho-dong-quang', 'A02', 'Rau củ quả cô Liên', 'Rau, củ, quả', NULL, NULL),
    ('cho-dong-quang', 'A04', 'Nấm tươi anh Quang', 'Nấm sò, nấm kim châm, nấm rơm', NULL, NULL),
    ('cho-dong-quang', 'A07', 'Hoa quả Đồng Quang', 'Trái cây theo mùa', NULL, NULL),
    ('cho-dong-quang', 'B01', 'Thịt lợn mẹ Hiền', 'Thịt lợn, giò chả', NULL, NULL),
    ('cho-dong-quang', 'B06', 'Gà vịt chú Bình', 'Gà ta, vịt, chim bồ câu', NULL, NULL),
    ('cho-dong-quang', 'B09', 'Cá đồng chị Oanh', 'Cá đồng, ếch, lươn', NULL, NULL),
    ('cho-dong-quang', 'C03', 'Gạo, ngũ cốc Thảo Nguyên', 'Gạo Bao Thai, gạo nếp, ngũ cốc', NULL, NULL),
    ('cho-dong-quang', 'C06', 'Đặc sản Thái Nguyên Hà Phương', 'Chè, miến dong, mật ong', NULL, NULL),
    ('cho-dong-quang', 'D01', 'Giày dép Minh Anh', 'Giày dép, túi xách', NULL, NULL),

    ('cho-dai-tu', 'A01', 'Rau rừng bà Dậu', 'Rau rừng, măng tươi', NULL, NULL),
    ('cho-dai-tu', 'A05', 'Hoa quả Hùng Sơn', 'Trái cây theo mùa', NULL, NULL),
    ('cho-dai-tu', 'B02', 'Thịt lợn, gà anh Sơn', 'Thịt lợn, gà ta', NULL, NULL),
    ('cho-dai-tu', 'B04', 'Cá hồ Núi Cốc chị Thắm', 'Cá trắm, cá mè, cá rô phi hồ Núi Cốc', NULL, NULL),
    ('cho-dai-tu', 'C01', 'Chè La Bằng bà Nhung', 'Chè búp, chè móc câu La Bằng', NULL, NULL),
    ('cho-dai-tu', 'C03', 'Chè Hoàng Nông chị Vân', 'Chè búp, chè xanh', NULL, NULL),
    ('cho-dai-tu', 'C08', 'Gạo, ngô, đỗ cô Hạnh', 'Gạo, ngô, đỗ, lạc', NULL, NULL),
    ('cho-dai-tu', 'D02', 'Nông cụ, hạt giống chú Tâm', 'Cuốc, xẻng, hạt giống, phân bón', NULL, NULL),
    ('cho-dai-tu', 'D05', 'Tạp hóa Thắng Lợi', 'Bánh kẹo, đồ uống, gia vị', NULL, NULL)
) AS v (market, stall_number, name, goods, owner_phone, creator_phone);

-- ---------------------------------------------------------------------------------------------
-- Sellers
-- ---------------------------------------------------------------------------------------------
INSERT INTO sellers (slug, name, kind, tax_code, province_code, commune_code, address_line, phone,
                     description, status, reviewed_by, reviewed_at, review_note, created_at)
SELECT v.slug, v.name, v.kind, v.tax_code, pr.code,
       (SELECT c.code FROM communes c WHERE c.province_code = pr.code AND c.name_folded = v.commune
        ORDER BY c.code LIMIT 1),
       v.address_line, v.phone, v.description, v.status,
       CASE WHEN v.status = 'approved' THEN (SELECT id FROM users WHERE phone = '0900000001') END,
       CASE WHEN v.status = 'approved' THEN now() END,
       v.review_note,
       now() - v.age
FROM (VALUES
    ('htx-che-tan-cuong', 'HTX Chè Tân Cương', 'cooperative', '4601234567', 'Thái Nguyên', 'xa tan cuong',
     'Xóm Hồng Thái 2, xã Tân Cương, tỉnh Thái Nguyên', '0900000003',
     'Hợp tác xã của 42 hộ trồng chè ở vùng chè đặc sản Tân Cương, dưới chân núi Pháo. Chè được hái tay một tôm hai lá, sao bằng chảo gang và đóng gói ngay tại xưởng của hợp tác xã. Vùng trồng đạt VietGAP, nhiều sản phẩm đạt OCOP 4 sao.',
     'approved', 'Đã đối chiếu giấy chứng nhận đăng ký hợp tác xã và chứng nhận VietGAP.', interval '95 days'),
    ('htx-che-la-bang', 'HTX Chè La Bằng', 'cooperative', '4601345678', 'Thái Nguyên', 'xa la bang',
     'Xóm Đồng Tiến, xã La Bằng, tỉnh Thái Nguyên', '0900000007',
     'Hợp tác xã chè ở xã La Bằng (huyện Đại Từ cũ), vùng chè nằm dưới chân dãy Tam Đảo, sương nhiều và nước suối mát. Chè La Bằng có nước xanh vàng, hương cốm non, vị chát dịu và hậu ngọt sâu.',
     'approved', 'Hồ sơ đầy đủ.', interval '80 days'),
    ('htx-tra-trai-cai', 'HTX Trà Trại Cài', 'cooperative', '4601456789', 'Thái Nguyên', 'xa dong hy',
     'Xóm Trại Cài, xã Đồng Hỷ, tỉnh Thái Nguyên', '0900000108',
     'Hợp tác xã trà ở xóm Trại Cài (huyện Đồng Hỷ cũ), một trong những vùng chè lâu năm của Thái Nguyên. Xã viên canh tác theo VietGAP, chế biến chè xanh sao suốt và thử nghiệm thêm trà ô long từ giống chè trung du.',
     'approved', NULL, interval '70 days'),
    ('ho-ma-van-thanh-dinh-hoa', 'Hộ nông dân Ma Văn Thành', 'household', NULL, 'Thái Nguyên', 'xa dinh hoa',
     'Thôn Nà Mòn, xã Định Hóa, tỉnh Thái Nguyên', '0900000109',
     'Gia đình người Tày ở Định Hóa, cấy lúa Bao Thai hai vụ và trồng rau màu trên ruộng bậc thang. Gạo xay mới theo từng đợt đặt hàng, rau hái buổi sáng và gửi xe khách về thành phố trong ngày.',
     'approved', 'Hộ kinh doanh, không có mã số thuế doanh nghiệp.', interval '60 days'),
    ('htx-nong-san-la-hien', 'HTX Nông sản La Hiên', 'cooperative', '4601567890', 'Thái Nguyên', 'xa la hien',
     'Xóm Cây Bòng, xã La Hiên, tỉnh Thái Nguyên', '0900000110',
     'Hợp tác xã trồng na, bưởi, ổi trên sườn núi đá vôi Võ Nhai, kết hợp nuôi ong lấy mật và trồng gừng, nghệ. Quả được hái khi già, đóng thùng có lót giấy và giao trong 24 giờ ở Thái Nguyên và Hà Nội.',
     'approved', NULL, interval '55 days'),
    ('htx-nong-lam-san-ba-be', 'HTX Nông lâm sản Ba Bể', 'cooperative', '4700123456', 'Thái Nguyên', 'xa cho ra',
     'Tổ 5, xã Chợ Rã (huyện Ba Bể cũ, tỉnh Bắc Kạn cũ), tỉnh Thái Nguyên', '0900000111',
     'Hợp tác xã thu mua và chế biến nông lâm sản vùng hồ Ba Bể: miến dong Na Rì, mật ong rừng, nấm hương, mộc nhĩ, hồng không hạt và quýt. Từ tháng 7/2025 vùng này thuộc tỉnh Thái Nguyên.',
     'approved', NULL, interval '45 days'),
    ('cong-ty-qua-que-trung-du', 'Công ty TNHH Quà Quê Trung Du', 'enterprise', '4601678901', 'Thái Nguyên', 'phuong phan dinh phung',
     'Số 18 đường Đội Cấn, phường Phan Đình Phùng, tỉnh Thái Nguyên', '0900000112',
     'Cửa hàng đặc sản và quà biếu ở trung tâm Thái Nguyên. Chúng tôi lấy hàng trực tiếp từ các hợp tác xã trong tỉnh, đóng hộp quà và giỏ quà Tết theo yêu cầu, xuất hóa đơn cho cơ quan, doanh nghiệp.',
     'approved', NULL, interval '30 days'),
    ('htx-che-shan-tuyet-cao-bo', 'HTX Chè Shan tuyết Cao Bồ', 'cooperative', '5100234567', 'Tuyên Quang', 'xa cao bo',
     'Thôn Tham Vè, xã Cao Bồ, tỉnh Tuyên Quang', '0900000113',
     'Hợp tác xã của người Dao ở Cao Bồ (tỉnh Hà Giang cũ), thu hái chè Shan tuyết cổ thụ trên độ cao 1.000–1.400 m. Đăng ký bán trên Chợ 4.0 để đưa trà Shan tuyết về thị trường Thái Nguyên.',
     'pending', NULL, interval '2 days')
) AS v (slug, name, kind, tax_code, province, commune, address_line, phone, description, status, review_note, age)
LEFT JOIN provinces pr ON pr.name = v.province
ORDER BY v.age DESC;

INSERT INTO seller_members (seller_id, user_id, role)
SELECT s.id, u.id, 'owner'
FROM (VALUES ('htx-che-tan-cuong', '0900000003'), ('htx-che-la-bang', '0900000007')) AS v (seller, phone)
JOIN sellers s ON s.slug = v.seller
JOIN users u ON u.phone = v.phone;

-- ---------------------------------------------------------------------------------------------
-- Categories (tea has three subcategories; its products sit in the subcategories)
-- ---------------------------------------------------------------------------------------------
INSERT INTO categories (slug, name, name_en, sort_order) VALUES
    ('che-tra', 'Chè & Trà', 'Tea', 10),
    ('gao', 'Gạo', 'Rice', 20),
    ('rau-cu', 'Rau củ', 'Vegetables', 30),
    ('trai-cay', 'Trái cây', 'Fruit', 40),
    ('dac-san-ocop', 'Đặc sản OCOP', 'OCOP specialities', 50),
    ('mat-ong', 'Mật ong', 'Honey', 60),
    ('nam', 'Nấm', 'Mushrooms', 70),
    ('mien-bun', 'Miến & bún', 'Glass noodles & vermicelli', 80),
    ('gia-vi', 'Gia vị', 'Spices & seasonings', 90),
    ('qua-tang', 'Quà tặng', 'Gifts', 100);

INSERT INTO categories (slug, name, name_en, parent_id, sort_order)
SELECT v.slug, v.name, v.name_en, (SELECT id FROM categories WHERE slug = 'che-tra'), v.sort_order
FROM (VALUES
    ('che-xanh', 'Chè xanh búp', 'Green tea', 11),
    ('che-cao-cap', 'Chè cao cấp (nõn tôm, đinh)', 'Premium tea', 12),
    ('tra-uop-che-bien', 'Trà ướp hương & trà túi lọc', 'Scented & bagged tea', 13)
) AS v (slug, name, name_en, sort_order);

-- ---------------------------------------------------------------------------------------------
-- Products. Inserted in a fixed pseudo-random order (md5 of the slug) so the newest listings on
-- the home page mix sellers; created_at steps back a few hours per product.
-- ---------------------------------------------------------------------------------------------
INSERT INTO products (seller_id, category_id, slug, name, description_md, unit, price_vnd, stock,
                      ocop_stars, certifications, origin_province_code, origin_commune_code, status,
                      created_at, updated_at)
SELECT (SELECT id FROM sellers WHERE slug = v.seller),
       (SELECT id FROM categories WHERE slug = v.category),
       v.slug, v.name, v.description_md, v.unit, v.price_vnd, v.stock, v.ocop_stars::smallint,
       v.certifications, pr.code,
       (SELECT c.code FROM communes c WHERE c.province_code = pr.code AND c.name_folded = v.commune
        ORDER BY c.code LIMIT 1),
       v.status,
       now() - (row_number() OVER (ORDER BY md5(v.slug) DESC)) * interval '7 hours',
       now() - (row_number() OVER (ORDER BY md5(v.slug) DESC)) * interval '7 hours'
FROM (VALUES
    -- HTX Chè Tân Cương ----------------------------------------------------------------------
    ('htx-che-tan-cuong', 'che-xanh', 'che-tan-cuong-dac-biet-200g', 'Chè Tân Cương đặc biệt 200 g',
     'Chè búp một tôm hai lá hái tay vào buổi sáng ở xóm Hồng Thái, sao suốt bằng chảo gang nên cánh chè xoăn, màu xanh đen, có mốc trắng. Nước chè xanh vàng sánh, hương cốm non, vị chát dịu rồi ngọt hậu lâu.

**Cách pha:** tráng ấm bằng nước sôi, cho 5–7 g chè vào ấm 150 ml, rót nước khoảng 85 °C, hãm 1–2 phút rồi rót ra chén.',
     'gói 200 g', 120000, 180, 4, ARRAY['VietGAP', 'OCOP 4 sao', 'Chỉ dẫn địa lý Tân Cương'], 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'che-xanh', 'che-bup-tan-cuong-loai-1', 'Chè búp Tân Cương loại 1',
     'Chè búp hái đúng lứa, sao hai lần lửa để giữ hương cốm đặc trưng của đất Tân Cương. Nước xanh trong, vị đậm vừa phải, hợp để uống hằng ngày và tiếp khách.

- Thu hái: một tôm hai lá
- Chế biến: vò và sao thủ công
- Bảo quản: để nơi khô ráo, tránh ánh nắng, buộc kín túi sau khi dùng',
     'túi 500 g', 220000, 240, NULL, ARRAY['VietGAP'], 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'che-xanh', 'tra-moc-cau-tan-cuong-500g', 'Trà móc câu Tân Cương',
     'Cánh chè nhỏ, cong như lưỡi câu, được chọn từ những búp non nhất của vụ xuân. Nước chè màu vàng xanh, thơm hương cốm, vị chát nhẹ và ngọt hậu rõ. Đóng hộp giấy kraft có túi zip bên trong, tiện làm quà.',
     'hộp 500 g', 350000, 150, 4, ARRAY['VietGAP', 'OCOP 4 sao'], 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'che-xanh', 'tra-moc-cau-tan-cuong-goi-100g', 'Trà móc câu Tân Cương gói 100 g',
     'Gói nhỏ 100 g cho người muốn dùng thử trà móc câu Tân Cương. Chè cùng lô với hộp 500 g, hút chân không để giữ hương lâu hơn.',
     'gói 100 g', 75000, 260, 4, ARRAY['VietGAP', 'OCOP 4 sao'], 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'che-cao-cap', 'che-non-tom-tan-cuong', 'Chè nõn tôm Tân Cương',
     'Chỉ hái phần nõn (tôm) và một lá non sát nõn, nên cần khoảng 12 kg búp tươi mới được 1 kg chè khô. Cánh chè nhỏ đều, có lông tuyết trắng. Nước vàng sáng, hương thơm thanh, vị ngọt dịu hầu như không chát.

**Cách pha:** dùng nước 80 °C, hãm 1 phút cho nước đầu, các nước sau tăng dần thời gian.',
     'hộp 200 g', 260000, 60, 4, ARRAY['VietGAP', 'OCOP 4 sao', 'Chỉ dẫn địa lý Tân Cương'], 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'che-cao-cap', 'che-dinh-tan-cuong-thuong-hang', 'Chè đinh Tân Cương thượng hạng',
     'Chè đinh chỉ lấy phần nõn nhỏ nhất, cánh thẳng như chiếc đinh, mỗi năm hợp tác xã làm được rất ít. Nước chè vàng nhạt, hương hoa cỏ, vị ngọt thanh và hậu rất sâu.

Lô hiện tại chỉ còn vài hộp.',
     'hộp 100 g', 480000, 3, 4, ARRAY['VietGAP', 'OCOP 4 sao'], 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'che-xanh', 'che-xanh-tan-cuong-hang-ngay-1kg', 'Chè xanh Tân Cương uống hằng ngày',
     'Chè búp hái lứa hè thu, cánh to hơn chè đặc biệt nhưng vẫn giữ vị đậm của Tân Cương. Phù hợp pha ấm lớn cho gia đình, quán nước hoặc văn phòng.',
     'túi 1 kg', 180000, 320, NULL, ARRAY['VietGAP'], 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'che-xanh', 'che-xanh-huu-co-tan-cuong', 'Chè xanh hữu cơ Tân Cương',
     'Sản xuất trên đồi chè chuyển đổi hữu cơ của hợp tác xã: không thuốc trừ sâu hóa học, không phân bón vô cơ, cỏ được phát bằng tay. Vị chè mộc, hương tự nhiên, nước xanh trong.',
     'hộp 250 g', 280000, 45, NULL, ARRAY['Hữu cơ TCVN 11041', 'VietGAP'], 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'tra-uop-che-bien', 'tra-uop-sen-tan-cuong', 'Trà ướp sen Tân Cương',
     'Chè móc câu Tân Cương ướp với gạo sen (nhị sen) Hồ Tây theo cách ướp thủ công nhiều lần. Nước trà vàng sánh, hương sen thoang thoảng, vị chè vẫn đậm.

- Pha với nước 85–90 °C
- Hãm 2 phút cho nước đầu',
     'hộp 200 g', 320000, 25, NULL, '{}', 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'tra-uop-che-bien', 'tra-uop-nhai-tan-cuong', 'Trà ướp hoa nhài Tân Cương',
     'Chè búp Tân Cương ướp hoa nhài tươi hái buổi chiều, khi hoa bắt đầu nở. Hương nhài thơm nhẹ, hợp pha ấm buổi sáng hoặc làm trà đá.',
     'hộp 200 g', 150000, 40, NULL, '{}', 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'tra-uop-che-bien', 'tra-xanh-tui-loc-tan-cuong', 'Trà xanh túi lọc Tân Cương',
     'Chè xanh Tân Cương nghiền cánh nhỏ, đóng túi lọc 2 g, tiện mang đi làm và đi công tác. Nhúng túi vào cốc nước 85 °C trong 2–3 phút là dùng được.',
     'hộp 25 túi × 2 g', 55000, 200, NULL, ARRAY['VietGAP'], 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'tra-uop-che-bien', 'hong-tra-tan-cuong', 'Hồng trà Tân Cương',
     'Búp chè Tân Cương được ủ lên men hoàn toàn rồi sấy, cho nước màu đỏ nâu, hương mật ong và vị ngọt tròn. Có thể uống nóng hoặc pha trà sữa. Hiện đang hết hàng, lô mới dự kiến sau vụ chè tới.',
     'túi 200 g', 140000, 0, NULL, '{}', 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'tra-uop-che-bien', 'bot-tra-xanh-tan-cuong', 'Bột trà xanh nguyên chất Tân Cương',
     'Lá chè non được hấp, sấy khô rồi nghiền mịn, không pha thêm đường hay phẩm màu. Dùng pha trà xanh sữa, làm bánh hoặc đắp mặt nạ.',
     'gói 100 g', 95000, 80, NULL, '{}', 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'qua-tang', 'hop-qua-che-tan-cuong-xuan', 'Hộp quà chè Tân Cương Xuân',
     'Hộp quà gồm hai hộp thiếc chè Tân Cương: một hộp chè đặc biệt và một hộp chè nõn tôm, đặt trong hộp cứng màu đỏ in hoa đào. Kèm thiệp chúc Tết viết tay theo yêu cầu.',
     'hộp 2 × 200 g', 390000, 30, 4, ARRAY['OCOP 4 sao'], 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('htx-che-tan-cuong', 'che-xanh', 'che-bup-vu-xuan-tan-cuong', 'Chè búp vụ xuân Tân Cương',
     'Chè hái lứa đầu xuân, búp mập và hương thơm nhất năm. Tin đăng đang chuẩn bị, sẽ mở bán khi có chè vụ mới.',
     'túi 500 g', 300000, 0, NULL, ARRAY['VietGAP'], 'Thái Nguyên', 'xa tan cuong', 'draft'),
    ('htx-che-tan-cuong', 'tra-uop-che-bien', 'che-xanh-gao-lut-tan-cuong', 'Chè xanh gạo lứt Tân Cương',
     'Chè xanh Tân Cương trộn gạo lứt rang thơm, vị bùi, ít chát. Tạm ngừng bán để đổi sang bao bì mới.',
     'hộp 300 g', 110000, 12, NULL, '{}', 'Thái Nguyên', 'xa tan cuong', 'unpublished'),

    -- HTX Chè La Bằng -------------------------------------------------------------------------
    ('htx-che-la-bang', 'che-xanh', 'che-la-bang-dac-san', 'Chè La Bằng đặc sản',
     'Chè trồng trên đất đồi La Bằng dưới chân dãy Tam Đảo, nơi sương mù và chênh lệch nhiệt độ ngày đêm lớn. Nước chè xanh vàng, hương cốm non, vị chát dịu và hậu ngọt sâu.',
     'túi 500 g', 200000, 210, 4, ARRAY['VietGAP', 'OCOP 4 sao'], 'Thái Nguyên', 'xa la bang', 'published'),
    ('htx-che-la-bang', 'che-cao-cap', 'che-non-tom-la-bang', 'Chè nõn tôm La Bằng',
     'Búp nõn hái tay từ nương chè trung du lâu năm, sao lửa nhỏ để giữ lông tuyết. Nước vàng sáng, thơm hương hoa, vị ngọt thanh.

**Gợi ý:** pha bằng nước suối hoặc nước lọc, không dùng nước máy có mùi clo.',
     'hộp 200 g', 240000, 55, 4, ARRAY['VietGAP', 'OCOP 4 sao'], 'Thái Nguyên', 'xa la bang', 'published'),
    ('htx-che-la-bang', 'che-xanh', 'che-moc-cau-la-bang', 'Chè móc câu La Bằng',
     'Cánh chè nhỏ cong móc câu, màu xanh đen, đều cánh. Nước xanh vàng, vị đậm mà không gắt, pha được 4–5 nước.',
     'hộp 500 g', 320000, 90, 3, ARRAY['OCOP 3 sao'], 'Thái Nguyên', 'xa la bang', 'published'),
    ('htx-che-la-bang', 'che-xanh', 'che-bup-la-bang-hang-ngay', 'Chè búp La Bằng hằng ngày',
     'Chè búp lứa hè, đóng túi 1 kg cho gia đình uống hằng ngày. Vị đậm, nước xanh, giá hợp lý.',
     'túi 1 kg', 170000, 400, NULL, ARRAY['VietGAP'], 'Thái Nguyên', 'xa la bang', 'published'),
    ('htx-che-la-bang', 'che-cao-cap', 'che-dinh-la-bang', 'Chè đinh La Bằng',
     'Chè đinh làm từ nõn chè nhỏ nhất của vụ xuân, số lượng rất ít. Nước vàng nhạt trong, hương thơm dịu, vị ngọt ngay từ ngụm đầu.

Chỉ còn một hộp cuối của lô này.',
     'hộp 100 g', 450000, 1, NULL, '{}', 'Thái Nguyên', 'xa la bang', 'published'),
    ('htx-che-la-bang', 'tra-uop-che-bien', 'tra-tui-loc-la-bang', 'Trà túi lọc La Bằng',
     'Chè xanh La Bằng đóng túi lọc, mỗi túi đủ cho một cốc 200 ml. Tiện cho văn phòng và khách sạn.',
     'hộp 20 túi × 2 g', 45000, 150, NULL, '{}', 'Thái Nguyên', 'xa la bang', 'published'),
    ('htx-che-la-bang', 'che-xanh', 'che-huu-co-la-bang', 'Chè hữu cơ La Bằng',
     'Đồi chè của hợp tác xã giáp rừng quốc gia Tam Đảo, canh tác hữu cơ: bón phân chuồng hoai, bắt sâu bằng tay và bẫy dính. Vị chè thanh, hương tự nhiên.

- Chứng nhận hữu cơ theo TCVN 11041
- Truy xuất được đến từng lô hái',
     'hộp 250 g', 260000, 35, NULL, ARRAY['Hữu cơ TCVN 11041'], 'Thái Nguyên', 'xa la bang', 'published'),
    ('htx-che-la-bang', 'qua-tang', 'hop-qua-che-la-bang-go-thong', 'Hộp quà chè La Bằng hộp gỗ thông',
     'Chè nõn tôm La Bằng đựng trong hộp gỗ thông khắc laser, có ngăn để kèm một bộ chén nhỏ. Thích hợp biếu thầy cô, đối tác.',
     'hộp 300 g', 350000, 20, 4, ARRAY['OCOP 4 sao'], 'Thái Nguyên', 'xa la bang', 'published'),
    ('htx-che-la-bang', 'che-xanh', 'che-la-bang-vu-thu', 'Chè La Bằng vụ thu',
     'Chè hái vụ thu, hương thơm đậm hơn vụ hè. Đang chờ lô mới để mở bán.',
     'túi 500 g', 210000, 0, NULL, ARRAY['VietGAP'], 'Thái Nguyên', 'xa la bang', 'draft'),
    ('htx-che-la-bang', 'che-xanh', 'che-la-bang-loai-2', 'Chè La Bằng loại 2',
     'Chè cánh to, hợp pha ấm lớn hoặc nấu nước chè cho quán. Tạm ngừng bán trong thời gian kiểm tra lại chất lượng lô hàng.',
     'túi 500 g', 120000, 0, NULL, '{}', 'Thái Nguyên', 'xa la bang', 'unpublished'),

    -- HTX Trà Trại Cài ------------------------------------------------------------------------
    ('htx-tra-trai-cai', 'che-xanh', 'tra-trai-cai-dac-biet', 'Trà Trại Cài đặc biệt',
     'Chè búp xóm Trại Cài, hái một tôm hai lá, sao suốt bằng tôn quay. Nước chè xanh vàng, hương cốm, vị đậm đà rất riêng của vùng đất đồi Đồng Hỷ.',
     'hộp 200 g', 130000, 120, 4, ARRAY['VietGAP', 'OCOP 4 sao'], 'Thái Nguyên', 'xa dong hy', 'published'),
    ('htx-tra-trai-cai', 'che-xanh', 'che-bup-trai-cai-loai-1', 'Chè búp Trại Cài loại 1',
     'Búp chè đều, cánh xoăn chặt, màu xanh đen tự nhiên. Pha 3–4 nước vẫn còn hương.',
     'túi 500 g', 200000, 180, NULL, ARRAY['VietGAP'], 'Thái Nguyên', 'xa dong hy', 'published'),
    ('htx-tra-trai-cai', 'che-cao-cap', 'che-non-tom-trai-cai', 'Chè nõn tôm Trại Cài',
     'Nõn chè nhỏ, có lông tuyết, được hái sớm khi còn sương. Nước vàng xanh trong vắt, vị ngọt thanh, ít chát.',
     'hộp 200 g', 230000, 40, 4, ARRAY['VietGAP', 'OCOP 4 sao'], 'Thái Nguyên', 'xa dong hy', 'published'),
    ('htx-tra-trai-cai', 'che-xanh', 'che-xanh-trai-cai-1kg', 'Chè xanh Trại Cài túi 1 kg',
     'Chè xanh uống hằng ngày, đóng túi bạc 1 kg. Vị đậm, hợp người quen uống chè đặc.',
     'túi 1 kg', 160000, 260, NULL, '{}', 'Thái Nguyên', 'xa dong hy', 'published'),
    ('htx-tra-trai-cai', 'che-cao-cap', 'tra-o-long-trai-cai', 'Trà ô long Trại Cài',
     'Búp chè trung du được làm héo, lắc nhẹ và lên men một phần theo cách làm ô long, rồi vò viên. Nước vàng mật ong, hương hoa quả chín, vị ngọt mượt.

**Cách pha:** nước sôi 95 °C, 7 g trà cho ấm 150 ml, tráng trà một lần rồi hãm 40–60 giây.',
     'hộp 250 g', 260000, 30, NULL, '{}', 'Thái Nguyên', 'xa dong hy', 'published'),
    ('htx-tra-trai-cai', 'tra-uop-che-bien', 'tra-xanh-tui-loc-trai-cai', 'Trà xanh túi lọc Trại Cài',
     'Túi lọc giấy không tẩy trắng, bên trong là chè xanh Trại Cài cắt nhỏ. Pha nóng hoặc pha lạnh qua đêm trong tủ mát đều ngon.',
     'hộp 25 túi × 2 g', 50000, 90, NULL, '{}', 'Thái Nguyên', 'xa dong hy', 'published'),
    ('htx-tra-trai-cai', 'qua-tang', 'hop-qua-tra-trai-cai-hai-vi', 'Hộp quà trà Trại Cài hai vị',
     'Một hộp chè nõn tôm và một hộp trà ô long Trại Cài trong hộp quà bọc vải gấm. Chỉ còn vài hộp cuối mùa.',
     'hộp 2 × 150 g', 320000, 2, NULL, '{}', 'Thái Nguyên', 'xa dong hy', 'published'),
    ('htx-tra-trai-cai', 'che-xanh', 'che-vun-trai-cai', 'Chè vụn Trại Cài pha ấm lớn',
     'Phần chè vụn sàng ra khi phân loại chè búp, hương vị vẫn đậm nhưng giá mềm. Hợp pha ấm tích, nấu nước chè cho cỗ và quán nước.',
     'túi 1 kg', 90000, 150, NULL, '{}', 'Thái Nguyên', 'xa dong hy', 'published'),

    -- Hộ nông dân Ma Văn Thành (Định Hóa) ------------------------------------------------------
    ('ho-ma-van-thanh-dinh-hoa', 'gao', 'gao-bao-thai-dinh-hoa-5kg', 'Gạo Bao Thai Định Hóa 5 kg',
     'Lúa Bao Thai cấy trên ruộng bậc thang Định Hóa, tưới nước suối đầu nguồn. Hạt gạo nhỏ, trong, cơm dẻo vừa, để nguội không bị cứng và có vị ngọt đậm.

- Xay mới mỗi tuần, không đánh bóng, không chất bảo quản
- Vo nhẹ tay một lần, nấu với tỉ lệ 1 gạo : 1,2 nước',
     'túi 5 kg', 150000, 120, NULL, '{}', 'Thái Nguyên', 'xa dinh hoa', 'published'),
    ('ho-ma-van-thanh-dinh-hoa', 'gao', 'gao-bao-thai-dinh-hoa-ban-le', 'Gạo Bao Thai Định Hóa (bán lẻ)',
     'Gạo Bao Thai vụ mùa, cân lẻ theo kg cho gia đình ít người hoặc muốn dùng thử. Cơm thơm nhẹ, dẻo, hợp ăn hằng ngày.',
     'kg', 30000, 300, NULL, '{}', 'Thái Nguyên', 'xa dinh hoa', 'published'),
    ('ho-ma-van-thanh-dinh-hoa', 'gao', 'gao-nep-cai-hoa-vang-dinh-hoa', 'Gạo nếp cái hoa vàng Định Hóa',
     'Nếp cái hoa vàng hạt tròn, trắng đục, đồ xôi dẻo và thơm, gói bánh chưng không bị nhão. Gia đình chỉ cấy một vụ mỗi năm nên số lượng có hạn.',
     'kg', 42000, 80, NULL, '{}', 'Thái Nguyên', 'xa dinh hoa', 'published'),
    ('ho-ma-van-thanh-dinh-hoa', 'gao', 'gao-lut-do-dinh-hoa', 'Gạo lứt đỏ Định Hóa',
     'Gạo lứt còn nguyên lớp cám đỏ, giàu chất xơ, hợp người ăn kiêng. Nên ngâm gạo 2–3 giờ trước khi nấu để cơm mềm.',
     'túi 2 kg', 90000, 40, NULL, '{}', 'Thái Nguyên', 'xa dinh hoa', 'published'),
    ('ho-ma-van-thanh-dinh-hoa', 'rau-cu', 'rau-cai-ngot-dinh-hoa', 'Rau cải ngọt Định Hóa',
     'Cải ngọt trồng trên ruộng cạnh nhà, tưới nước giếng, bón phân chuồng ủ hoai. Hái buổi sáng, bó 500 g, giao trong ngày.',
     'bó 500 g', 12000, 60, NULL, '{}', 'Thái Nguyên', 'xa dinh hoa', 'published'),
    ('ho-ma-van-thanh-dinh-hoa', 'rau-cu', 'bi-xanh-dinh-hoa', 'Bí xanh quả dài',
     'Bí xanh giống địa phương, quả dài, ruột đặc, nấu canh xương hoặc luộc đều ngọt. Quả thường nặng 1,5–2,5 kg, tính tiền theo cân thực tế.',
     'kg', 15000, 120, NULL, '{}', 'Thái Nguyên', 'xa dinh hoa', 'published'),
    ('ho-ma-van-thanh-dinh-hoa', 'rau-cu', 'khoai-lang-mat-dinh-hoa', 'Khoai lang mật Định Hóa',
     'Khoai lang ruột vàng cam trồng trên đất bãi ven suối. Nướng hoặc hấp đều chảy mật, vị ngọt đậm.',
     'kg', 25000, 90, NULL, '{}', 'Thái Nguyên', 'xa dinh hoa', 'published'),
    ('ho-ma-van-thanh-dinh-hoa', 'rau-cu', 'mang-tre-tuoi-dinh-hoa', 'Măng tre tươi',
     'Măng tre bóc vỏ, luộc sơ để bớt đắng, xào tỏi hoặc nấu canh chua đều ngon. Măng chỉ có vào mùa mưa, hiện đã hết hàng.',
     'kg', 30000, 0, NULL, '{}', 'Thái Nguyên', 'xa dinh hoa', 'published'),
    ('ho-ma-van-thanh-dinh-hoa', 'rau-cu', 'bi-do-dinh-hoa', 'Bí đỏ giống địa phương',
     'Bí đỏ quả tròn dẹt, ruột vàng đậm, bở và bùi. Nấu canh, nấu cháo cho trẻ nhỏ hoặc làm sữa bí đều hợp.',
     'kg', 18000, 70, NULL, '{}', 'Thái Nguyên', 'xa dinh hoa', 'published'),
    ('ho-ma-van-thanh-dinh-hoa', 'rau-cu', 'ngon-su-su-dinh-hoa', 'Ngọn su su',
     'Ngọn su su non hái trên giàn, xào tỏi giòn và ngọt. Mỗi bó khoảng 300 g, nên dùng trong hai ngày.',
     'bó 300 g', 10000, 45, NULL, '{}', 'Thái Nguyên', 'xa dinh hoa', 'published'),

    -- HTX Nông sản La Hiên (Võ Nhai) -----------------------------------------------------------
    ('htx-nong-san-la-hien', 'trai-cay', 'na-dai-la-hien-vo-nhai', 'Na dai La Hiên Võ Nhai',
     'Na trồng trên núi đá vôi Võ Nhai, quả to, mắt thưa, múi dày, ngọt đậm và thơm. Hái khi na vừa mở mắt, để 1–2 ngày là chín mềm.

- Mùa vụ: tháng 7 đến tháng 9
- Quả 3–5 quả/kg',
     'kg', 65000, 200, NULL, ARRAY['VietGAP', 'Nhãn hiệu tập thể Na Võ Nhai'], 'Thái Nguyên', 'xa la hien', 'published'),
    ('htx-nong-san-la-hien', 'qua-tang', 'hop-qua-na-la-hien-3kg', 'Hộp quà na La Hiên 3 kg',
     'Na loại 1 được chọn quả đều, xếp trong hộp carton có lót xốp lưới, kèm hướng dẫn ủ chín. Giao tận nơi ở Thái Nguyên và Hà Nội.',
     'hộp 3 kg', 220000, 25, NULL, ARRAY['VietGAP'], 'Thái Nguyên', 'xa la hien', 'published'),
    ('htx-nong-san-la-hien', 'trai-cay', 'buoi-dong-hy', 'Bưởi Đồng Hỷ',
     'Bưởi trồng trên đất đồi Đồng Hỷ, vỏ mỏng, tép ráo, vị ngọt mát xen chút the nhẹ. Bưởi để được 2–3 tuần ở nơi thoáng mát.',
     'quả 1,2–1,5 kg', 45000, 150, NULL, ARRAY['VietGAP'], 'Thái Nguyên', 'xa dong hy', 'published'),
    ('htx-nong-san-la-hien', 'trai-cay', 'oi-le-vo-nhai', 'Ổi lê Võ Nhai',
     'Ổi lê ruột trắng, ít hạt, giòn và ngọt. Quả được bao túi từ khi còn nhỏ để tránh sâu và không phải phun thuốc.',
     'kg', 25000, 110, NULL, '{}', 'Thái Nguyên', 'xa la hien', 'published'),
    ('htx-nong-san-la-hien', 'trai-cay', 'chuoi-tay-la-hien', 'Chuối tây chín cây',
     'Chuối tây trồng xen trong vườn na, để chín trên cây nên thơm và ngọt tự nhiên, không ủ thuốc.',
     'nải 2–2,5 kg', 40000, 30, NULL, '{}', 'Thái Nguyên', 'xa la hien', 'published'),
    ('htx-nong-san-la-hien', 'mat-ong', 'mat-ong-hoa-rung-vo-nhai', 'Mật ong hoa rừng Võ Nhai',
     'Mật ong ong nội nuôi trong thùng gỗ đặt ven rừng Võ Nhai, ong lấy mật từ nhiều loài hoa rừng. Mật sánh, màu hổ phách, vị ngọt đậm, hơi chát nhẹ ở hậu.

Mật ong có thể kết tinh khi trời lạnh, đó là hiện tượng tự nhiên.',
     'chai 500 ml', 220000, 60, 3, ARRAY['OCOP 3 sao'], 'Thái Nguyên', 'xa la hien', 'published'),
    ('htx-nong-san-la-hien', 'mat-ong', 'mat-ong-hoa-nhan-la-hien', 'Mật ong hoa nhãn',
     'Mật quay vào mùa nhãn nở hoa, màu vàng sáng, thơm mùi nhãn rõ. Hợp pha nước chanh mật ong hoặc ngâm chanh đào.',
     'chai 1 lít', 280000, 40, NULL, '{}', 'Thái Nguyên', 'xa la hien', 'published'),
    ('htx-nong-san-la-hien', 'gia-vi', 'gung-trau-vo-nhai', 'Gừng trâu Võ Nhai',
     'Gừng trâu củ to, nhiều xơ, vị cay nồng, trồng trên nương đất đồi. Dùng nấu ăn, ngâm mật ong hoặc pha trà gừng.',
     'kg', 35000, 100, NULL, '{}', 'Thái Nguyên', 'xa la hien', 'published'),
    ('htx-nong-san-la-hien', 'gia-vi', 'tinh-bot-nghe-vang-la-hien', 'Tinh bột nghệ vàng nguyên chất',
     'Nghệ vàng trồng tại La Hiên, xay nhuyễn, lọc nhiều lần bỏ tinh dầu và sấy lạnh. Bột mịn, màu vàng tươi, không đắng.

**Cách dùng:** pha 1–2 thìa cà phê với nước ấm và mật ong, uống trước bữa sáng.',
     'hộp 500 g', 190000, 50, 3, ARRAY['OCOP 3 sao'], 'Thái Nguyên', 'xa la hien', 'published'),
    ('htx-nong-san-la-hien', 'rau-cu', 'rau-don-rung-la-hien', 'Rau dớn rừng',
     'Ngọn dớn hái ven suối trong rừng Võ Nhai, xào tỏi hoặc nộm đều giòn. Hàng hái theo ngày nên số lượng ít.',
     'bó 500 g', 20000, 2, NULL, '{}', 'Thái Nguyên', 'xa la hien', 'published'),

    -- HTX Nông lâm sản Ba Bể ------------------------------------------------------------------
    ('htx-nong-lam-san-ba-be', 'mien-bun', 'mien-dong-na-ri-500g', 'Miến dong Na Rì',
     'Miến làm từ tinh bột củ dong riềng trồng ở Na Rì, phơi nắng tự nhiên, không chất tẩy trắng. Sợi miến màu nâu trong, nấu không nát, ăn dai giòn.

- Ngâm nước lạnh 5–7 phút trước khi nấu
- Hợp nấu miến gà, miến lươn, xào cua',
     'gói 500 g', 45000, 300, 4, ARRAY['OCOP 4 sao'], 'Thái Nguyên', 'xa na ri', 'published'),
    ('htx-nong-lam-san-ba-be', 'mien-bun', 'mien-dong-na-ri-1kg', 'Miến dong Na Rì túi 1 kg',
     'Miến dong Na Rì đóng túi 1 kg cho gia đình đông người và quán ăn. Cùng chất lượng với gói 500 g.',
     'túi 1 kg', 85000, 140, 4, ARRAY['OCOP 4 sao'], 'Thái Nguyên', 'xa na ri', 'published'),
    ('htx-nong-lam-san-ba-be', 'mat-ong', 'mat-ong-rung-ba-be', 'Mật ong rừng Ba Bể',
     'Mật ong khai thác từ tổ ong khoái trên vách đá quanh hồ Ba Bể, lọc thủ công. Mật đặc, màu nâu sẫm, hương hoa rừng, vị ngọt sắc.',
     'chai 500 ml', 280000, 35, 3, ARRAY['OCOP 3 sao'], 'Thái Nguyên', 'xa cho ra', 'published'),
    ('htx-nong-lam-san-ba-be', 'nam', 'nam-huong-rung-kho-ba-be', 'Nấm hương rừng khô Ba Bể',
     'Nấm hương mọc trên thân gỗ mục trong rừng Ba Bể, mũ dày, thơm đậm hơn nấm trồng. Ngâm nước ấm 20 phút trước khi nấu, giữ lại nước ngâm để nêm canh.',
     'túi 200 g', 110000, 70, 3, ARRAY['OCOP 3 sao'], 'Thái Nguyên', 'xa cho ra', 'published'),
    ('htx-nong-lam-san-ba-be', 'nam', 'moc-nhi-rung-ba-be', 'Mộc nhĩ rừng Ba Bể',
     'Mộc nhĩ tai nhỏ, dày và giòn, phơi khô tự nhiên. Dùng làm nem, xào thập cẩm hoặc nấu canh.',
     'túi 300 g', 75000, 80, NULL, '{}', 'Thái Nguyên', 'xa cho ra', 'published'),
    ('htx-nong-lam-san-ba-be', 'nam', 'nam-linh-chi-do-ba-be', 'Nấm linh chi đỏ sấy khô',
     'Nấm linh chi đỏ trồng trên mùn cưa gỗ rừng trong nhà lưới của hợp tác xã, thu hái khi viền nấm ngả màu rồi sấy khô. Thái lát mỏng, sắc nước uống thay trà.',
     'hộp 250 g', 350000, 12, NULL, '{}', 'Thái Nguyên', 'xa cho ra', 'published'),
    ('htx-nong-lam-san-ba-be', 'trai-cay', 'hong-khong-hat-quang-bach', 'Hồng không hạt Quảng Bạch',
     'Hồng không hạt trồng ở Quảng Bạch (Chợ Đồn), quả vuông thành, khi chín màu vàng cam, giòn ngọt và không có hạt. Mùa hồng từ tháng 9 đến tháng 11, hiện đã hết hàng.',
     'kg', 45000, 0, NULL, ARRAY['Chỉ dẫn địa lý Bắc Kạn'], 'Thái Nguyên', 'xa quang bach', 'published'),
    ('htx-nong-lam-san-ba-be', 'trai-cay', 'quyt-bac-kan', 'Quýt Bắc Kạn',
     'Quýt trồng trên đồi Bạch Thông, vỏ mỏng màu vàng cam, múi mọng nước, vị ngọt đậm chua nhẹ. Thích hợp bày mâm ngũ quả ngày Tết.',
     'kg', 40000, 180, NULL, ARRAY['Chỉ dẫn địa lý Bắc Kạn'], 'Thái Nguyên', 'xa bach thong', 'published'),
    ('htx-nong-lam-san-ba-be', 'dac-san-ocop', 'thit-trau-gac-bep-ba-be', 'Thịt trâu gác bếp Ba Bể',
     'Thịt trâu tươi tẩm mắc khén, gừng, ớt rồi treo gác bếp hun khói củi theo cách của người Tày. Thớ thịt săn, dai, cay nồng. Xé nhỏ chấm tương ớt, bảo quản ngăn mát tủ lạnh.',
     'gói 500 g', 450000, 25, 3, ARRAY['OCOP 3 sao'], 'Thái Nguyên', 'xa cho ra', 'published'),
    ('htx-nong-lam-san-ba-be', 'gia-vi', 'hat-doi-rung-ba-be', 'Hạt dổi rừng',
     'Hạt dổi nhặt từ cây dổi rừng, phơi khô, thơm nồng. Nướng sơ rồi giã với muối làm muối chấm, hoặc tẩm ướp thịt nướng.',
     'hũ 100 g', 120000, 30, NULL, '{}', 'Thái Nguyên', 'xa cho ra', 'published'),
    ('htx-nong-lam-san-ba-be', 'rau-cu', 'mang-kho-ba-be', 'Măng khô Ba Bể',
     'Măng nứa rừng luộc chín, phơi nắng nhiều ngày đến khi khô cong. Ngâm qua đêm, luộc kỹ hai nước rồi nấu với chân giò hoặc xào thịt.',
     'túi 500 g', 140000, 45, NULL, '{}', 'Thái Nguyên', 'xa cho ra', 'published'),

    -- Công ty TNHH Quà Quê Trung Du -------------------------------------------------------------
    ('cong-ty-qua-que-trung-du', 'mien-bun', 'mien-dong-viet-cuong', 'Miến dong Việt Cường',
     'Miến dong của làng nghề Việt Cường, sợi nhỏ, dai, màu trong. Mỗi gói được cân đúng 500 g và hút chân không để tránh ẩm.',
     'gói 500 g', 40000, 250, 3, ARRAY['OCOP 3 sao'], 'Thái Nguyên', NULL, 'published'),
    ('cong-ty-qua-que-trung-du', 'dac-san-ocop', 'banh-chung-bo-dau', 'Bánh chưng Bờ Đậu',
     'Bánh chưng gói bằng nếp cái, đỗ xanh và thịt lợn ba chỉ, luộc 10–12 giờ bằng củi. Bánh rền, vỏ xanh lá dong, cắt không dính dao.

- Giao trong ngày ở Thái Nguyên
- Bảo quản ngăn mát 7–10 ngày',
     'chiếc 1 kg', 65000, 40, 4, ARRAY['OCOP 4 sao'], 'Thái Nguyên', 'xa phu luong', 'published'),
    ('cong-ty-qua-que-trung-du', 'qua-tang', 'gio-qua-tet-dac-san-thai-nguyen', 'Giỏ quà Tết Đặc sản Thái Nguyên',
     'Giỏ mây đan gồm chè Tân Cương đặc biệt, miến dong Na Rì, mật ong rừng Ba Bể, gạo Bao Thai Định Hóa và nấm hương. Có thể thay món theo ngân sách và xuất hóa đơn VAT.',
     'giỏ', 890000, 15, NULL, '{}', 'Thái Nguyên', NULL, 'published'),
    ('cong-ty-qua-que-trung-du', 'qua-tang', 'bo-qua-che-tan-cuong-am-chen', 'Bộ quà chè Tân Cương kèm ấm chén',
     'Một hộp chè nõn tôm Tân Cương 200 g và bộ ấm chén gốm men lam 6 chén, đựng trong hộp cứng có lót lụa. Món quà trang trọng cho đối tác và người lớn tuổi.',
     'bộ', 650000, 8, NULL, '{}', 'Thái Nguyên', 'xa tan cuong', 'published'),
    ('cong-ty-qua-que-trung-du', 'qua-tang', 'hop-qua-ocop-thai-nguyen', 'Hộp quà OCOP Thái Nguyên',
     'Hộp quà gồm bốn sản phẩm đạt OCOP của Thái Nguyên: chè Tân Cương, miến dong, tinh bột nghệ và mật ong. Chỉ còn ít hộp trong đợt này.',
     'hộp', 480000, 3, NULL, '{}', 'Thái Nguyên', NULL, 'published'),
    ('cong-ty-qua-que-trung-du', 'gia-vi', 'hat-mac-khen-son-la', 'Hạt mắc khén Sơn La',
     'Mắc khén rừng Sơn La, hạt khô thơm mùi cay tê đặc trưng. Rang sơ rồi giã nhỏ, trộn muối và ớt làm chẩm chéo, hoặc ướp thịt nướng.',
     'hũ 100 g', 65000, 60, NULL, '{}', 'Sơn La', NULL, 'published'),
    ('cong-ty-qua-que-trung-du', 'gao', 'gao-st25-5kg', 'Gạo ST25 túi 5 kg',
     'Gạo ST25 trồng ở vùng Sóc Trăng cũ (nay thuộc Cần Thơ), hạt dài, cơm dẻo, thơm mùi lá dứa, để nguội vẫn mềm. Nhập trực tiếp theo lô có tem truy xuất.',
     'túi 5 kg', 200000, 100, NULL, '{}', 'Cần Thơ', NULL, 'published'),
    ('cong-ty-qua-que-trung-du', 'mien-bun', 'mien-dong-viet-cuong-2kg', 'Miến dong Việt Cường túi 2 kg',
     'Túi 2 kg dành cho quán ăn. Tạm ngừng bán để cập nhật bao bì và tem truy xuất mới.',
     'túi 2 kg', 150000, 20, 3, ARRAY['OCOP 3 sao'], 'Thái Nguyên', NULL, 'unpublished'),

    -- HTX Chè Shan tuyết Cao Bồ (waiting for approval; listings appear once the admin approves) --
    ('htx-che-shan-tuyet-cao-bo', 'che-cao-cap', 'tra-shan-tuyet-co-thu-cao-bo', 'Trà Shan tuyết cổ thụ Cao Bồ',
     'Búp chè Shan tuyết hái từ những cây chè cổ thụ trên núi Tây Côn Lĩnh, búp to phủ lông trắng như tuyết. Nước vàng sáng, hương núi rừng, vị chát nhẹ và ngọt hậu kéo dài.',
     'hộp 200 g', 350000, 50, NULL, '{}', 'Tuyên Quang', 'xa cao bo', 'published'),
    ('htx-che-shan-tuyet-cao-bo', 'tra-uop-che-bien', 'hong-tra-shan-tuyet-cao-bo', 'Hồng trà Shan tuyết Cao Bồ',
     'Búp Shan tuyết lên men hoàn toàn, nước màu đỏ hổ phách, hương mật ong và trái cây chín. Uống nóng vào mùa đông rất ấm người.',
     'túi 250 g', 280000, 30, NULL, '{}', 'Tuyên Quang', 'xa cao bo', 'published'),
    ('htx-che-shan-tuyet-cao-bo', 'che-cao-cap', 'bach-tra-shan-tuyet-cao-bo', 'Bạch trà Shan tuyết Cao Bồ',
     'Chỉ lấy búp non phủ lông trắng, làm héo và phơi khô tự nhiên, không sao không vò. Nước trà vàng rất nhạt, hương thanh, vị ngọt dịu.',
     'hộp 100 g', 450000, 15, NULL, '{}', 'Tuyên Quang', 'xa cao bo', 'published')
) AS v (seller, category, slug, name, description_md, unit, price_vnd, stock, ocop_stars, certifications,
        province, commune, status)
LEFT JOIN provinces pr ON pr.name = v.province
ORDER BY md5(v.slug);

-- A province name that does not match would silently leave a NULL: fail loudly instead.
DO $check$
BEGIN
    IF EXISTS (SELECT 1 FROM products WHERE origin_province_code IS NULL)
       OR EXISTS (SELECT 1 FROM sellers WHERE province_code IS NULL) THEN
        RAISE EXCEPTION 'demo.sql: a province name in the seed data did not match the provinces table';
    END IF;
END
$check$;

-- ---------------------------------------------------------------------------------------------
-- The demo stallholder's A01 at Chợ Thái has a linked bank account, so its sign can be printed
-- ---------------------------------------------------------------------------------------------
INSERT INTO stall_bank_accounts (stall_id, bank_bin, account_number, service, account_holder, updated_by)
SELECT s.id, '970436', '1023456789', 'account', 'LE THI HOA', s.created_by_user_id
FROM stalls s JOIN markets m ON m.id = s.market_id
WHERE m.slug = 'cho-thai' AND s.stall_number = 'A01';
