-- Issue 15: every stored report belongs to a computed day (a row in daily_report_days). The foreign key that said so,
-- deferred because the day row was written last, was checked row by row at commit: 7,050 lookups of the same day row for
-- one day's reports, 25–28 ms of the benchmark's ~700 ms computation. The computation now writes the day row in the same
-- statement as its reports, and this statement-level trigger makes the same check once per statement, over the rows the
-- statement inserted (a transition table), against the day rows that exist when the statement ends — including one the
-- statement itself inserted. Same SQLSTATE as the foreign key's (23503).
--
-- What the foreign key also guaranteed holds without it: a day row cannot be deleted, updated or truncated (the
-- immutability triggers of 0600), nor can a report be updated (same); so a report that passed this check keeps its day.
ALTER TABLE daily_reports DROP CONSTRAINT daily_reports_report_day_fkey;

CREATE FUNCTION f_daily_reports_day_exists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    days date[];
    found_days integer;
    missing date;
BEGIN
    SELECT array_agg(DISTINCT report_day) INTO days FROM new_reports;
    IF days IS NULL THEN
        RETURN NULL;
    END IF;
    -- Locked as the foreign key's check locked them (FOR KEY SHARE): they stay until this transaction ends.
    SELECT count(*) INTO found_days
    FROM (SELECT 1 FROM daily_report_days d WHERE d.report_day = ANY (days) FOR KEY SHARE) x;
    IF found_days < cardinality(days) THEN
        SELECT min(u) INTO missing FROM unnest(days) u WHERE NOT EXISTS (SELECT 1 FROM daily_report_days d WHERE d.report_day = u);
        RAISE EXCEPTION 'daily report of % without its day in daily_report_days', missing USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER daily_reports_day_exists AFTER INSERT ON daily_reports
    REFERENCING NEW TABLE AS new_reports FOR EACH STATEMENT EXECUTE FUNCTION f_daily_reports_day_exists();
