-- Demo data for the public market pages and the province dashboard. Runs last, inside DemoData.SeedIfEmptyAsync's
-- transaction: the demo province viewer (0900000008) sees Thái Nguyên; the markets get opening hours and descriptions in
-- Vietnamese and English; most stalls of Chợ Thái and Chợ Túc Duyên (and a few of Chợ Đại Từ) have a QR sign (a linked
-- bank account with a made-up number); and stalls, signs, products and trace batches are dated as they would have been
-- (stalls a day after their market opened on the platform, products a day after their seller), so that the weeks and
-- months before today have figures. Chợ Đồng Quang is left without signs (the security tests give it one of their own).

INSERT INTO province_viewers (user_id, province_code)
SELECT u.id, p.code FROM users u, provinces p WHERE u.phone = '0900000008' AND p.name = 'Thái Nguyên';

UPDATE markets m
SET opens_at = v.opens::time, closes_at = v.closes::time, hours_note = v.note, hours_note_en = v.note_en,
    description = v.description, description_en = v.description_en
FROM (VALUES
    ('cho-thai', '05:00', '18:30', 'Mở cửa hằng ngày, kể cả Chủ nhật', 'Open every day, Sundays included',
     'Chợ lớn nhất trung tâm Thái Nguyên, ba tầng, hơn nghìn sạp: rau quả, thịt cá, chè Tân Cương, gạo Bao Thai, đồ khô và quần áo. Nhiều sạp nhận thanh toán bằng mã QR.',
     'The largest market in central Thái Nguyên: three floors and over a thousand stalls selling vegetables, fruit, meat and fish, Tân Cương tea, Bao Thai rice, dried goods and clothes. Many stalls take payment by bank QR code.'),
    ('cho-tuc-duyen', '05:30', '18:00', 'Đông nhất buổi sáng', 'Busiest in the morning',
     'Chợ dân sinh phía đông thành phố, nổi tiếng với hàng rau sạch, bún bánh tươi và chè Thái.',
     'A neighbourhood market east of the city centre, known for fresh vegetables, fresh rice noodles and Thái Nguyên tea.'),
    ('cho-dong-quang', '05:30', '19:00', '', '',
     'Chợ phường gần ga Đồng Quang: rau củ, nấm tươi, gà vịt và đặc sản Thái Nguyên.',
     ''),
    ('cho-dai-tu', '05:00', '12:00', 'Họp phiên lớn các ngày 1, 6, 11, 16, 21, 26 âm lịch', 'Big market days on the 1st, 6th, 11th, 16th, 21st and 26th of the lunar month',
     'Chợ trung tâm xã Đại Từ, nơi bà con vùng chè La Bằng, Hoàng Nông mang chè, rau rừng và cá hồ Núi Cốc ra bán.',
     'The central market of Đại Từ commune, where growers from the La Bằng and Hoàng Nông tea hills bring tea, wild greens and fish from Núi Cốc lake.')
) AS v (slug, opens, closes, note, note_en, description, description_en)
WHERE m.slug = v.slug;

UPDATE stalls s SET created_at = m.created_at + interval '1 day' FROM markets m WHERE m.id = s.market_id;

INSERT INTO stall_bank_accounts (stall_id, bank_bin, account_number, service, account_holder)
SELECT s.id, '970436', '88' || lpad(s.id::text, 10, '0'), 'account', 'HO KINH DOANH ' || s.stall_number
FROM stalls s JOIN markets m ON m.id = s.market_id
WHERE (m.slug = 'cho-thai' AND s.stall_number NOT IN ('A01', 'D04', 'D10'))
   OR (m.slug = 'cho-tuc-duyen' AND s.stall_number NOT IN ('C07', 'D02', 'B05'))
   OR (m.slug = 'cho-dai-tu' AND s.stall_number IN ('C01', 'C03'))
ON CONFLICT (stall_id) DO NOTHING;
UPDATE stall_bank_accounts b SET linked_at = s.created_at + interval '3 days' FROM stalls s WHERE s.id = b.stall_id;

UPDATE products p SET created_at = s.created_at + interval '1 day' FROM sellers s WHERE s.id = p.seller_id AND p.created_at > s.created_at;
UPDATE trace_batches SET created_at = (produced_on::timestamp + interval '17 hours') AT TIME ZONE 'Asia/Ho_Chi_Minh'
WHERE (produced_on::timestamp + interval '17 hours') AT TIME ZONE 'Asia/Ho_Chi_Minh' < created_at;
