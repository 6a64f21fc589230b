-- Issue 15: the daily report looks for late arrivals — stall payments recorded after their day's report was computed —
-- among everything recorded since the previous report, i.e. a whole day of payments scanned to find a handful. A late
-- arrival is always recorded on a later Vietnam day than it occurred (a day's cutoff is at or after the day's end), so
-- this index holds only those payments (transfers made just before midnight and reported after it, backdated entries)
-- and the report reads them straight from it. AT TIME ZONE with a zone name is immutable; Vietnam has no daylight saving.
CREATE INDEX stall_payments_recorded_later_idx ON stall_payments (recorded_at)
    WHERE (occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date < (recorded_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date;
