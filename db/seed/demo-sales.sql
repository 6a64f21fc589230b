-- Demo takings at the stalls of Chợ Thái and Chợ Túc Duyên over the 14 Vietnam days before today (today is left
-- empty, so each stall screen starts the day at zero): cash logged on the stall screen and QR transfers reported by a
-- bank-notification provider, for the daily sales reports to show. Amounts end in 500 đ; times 06:00–18:00.
CREATE TEMP TABLE demo_sales ON COMMIT DROP AS
SELECT s.id AS stall_id, d.n AS days_ago, k.n AS k,
       ((date_trunc('day', now() AT TIME ZONE 'Asia/Ho_Chi_Minh') - d.n * interval '1 day'
         + interval '6 hours' + ((s.id * 53 + k.n * 97) % 720) * interval '1 minute') AT TIME ZONE 'Asia/Ho_Chi_Minh') AS at,
       ((10 + (s.id * 7 + d.n * 13 + k.n * 29) % 290) * 1000 + 500)::bigint AS amount_vnd,
       CASE WHEN (s.id + d.n + k.n) % 3 = 0 THEN 'cash' ELSE 'qr' END AS method,
       'DEMO-' || s.id || '-' || d.n || '-' || k.n AS txn
FROM stalls s
JOIN markets m ON m.id = s.market_id
CROSS JOIN generate_series(1, 14) d(n)
CROSS JOIN LATERAL generate_series(1, 3 + (s.id + d.n) % 6) k(n)
WHERE m.slug IN ('cho-thai', 'cho-tuc-duyen');

INSERT INTO bank_notifications (provider, raw_body, received_at, status)
VALUES ('demo', '{"demo":"dữ liệu mẫu"}', now(), 'processed');

INSERT INTO provider_transactions (provider, provider_txn_id, notification_id, account_number, amount_vnd, content,
                                   transaction_time, received_at, credited_to, credited_stall_id)
SELECT 'demo', d.txn, (SELECT max(id) FROM bank_notifications WHERE provider = 'demo'), coalesce(b.account_number, ''),
       d.amount_vnd, 'CK MUA HANG CHO', d.at, d.at + interval '4 seconds', 'stall', d.stall_id
FROM demo_sales d LEFT JOIN stall_bank_accounts b ON b.stall_id = d.stall_id
WHERE d.method = 'qr';

INSERT INTO stall_payments (stall_id, method, amount_vnd, occurred_at, recorded_at, provider_transaction_id, recorded_by)
SELECT d.stall_id, d.method, d.amount_vnd, d.at, d.at + interval '4 seconds', t.id,
       CASE WHEN d.method = 'cash' THEN (SELECT owner_user_id FROM stalls WHERE id = d.stall_id) END
FROM demo_sales d
LEFT JOIN provider_transactions t ON t.provider = 'demo' AND t.provider_txn_id = d.txn
ORDER BY d.at;
