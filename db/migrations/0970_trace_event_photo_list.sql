-- Every event keeps the SHA-256 keys of its photos, in order, comma-separated, next to it. The public trace page (and
-- the seller's batch page, the EPCIS export) read them for each event: a correlated aggregate over trace_event_photos
-- per event was a fifth of what PostgreSQL spent on the page (issue 15). Kept by a trigger, whoever writes the photos
-- (the app adds them in the transaction that records the event; a cascade or a hand-made change is covered too).
ALTER TABLE trace_events ADD COLUMN photo_list text NOT NULL DEFAULT '';

CREATE FUNCTION f_trace_event_photo_list() RETURNS trigger
    LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE public.trace_events e
    SET photo_list = COALESCE((SELECT string_agg(ph.sha256, ',' ORDER BY ph.sort_order, ph.sha256)
                               FROM public.trace_event_photos ph WHERE ph.event_id = e.id), '')
    WHERE e.id IN (SELECT event_id FROM changed_photos);
    RETURN NULL;
END
$$;
CREATE TRIGGER trace_event_photos_added AFTER INSERT ON trace_event_photos
    REFERENCING NEW TABLE AS changed_photos FOR EACH STATEMENT EXECUTE FUNCTION f_trace_event_photo_list();
CREATE TRIGGER trace_event_photos_changed AFTER UPDATE ON trace_event_photos
    REFERENCING NEW TABLE AS changed_photos FOR EACH STATEMENT EXECUTE FUNCTION f_trace_event_photo_list();
CREATE TRIGGER trace_event_photos_moved AFTER UPDATE ON trace_event_photos
    REFERENCING OLD TABLE AS changed_photos FOR EACH STATEMENT EXECUTE FUNCTION f_trace_event_photo_list();
CREATE TRIGGER trace_event_photos_removed AFTER DELETE ON trace_event_photos
    REFERENCING OLD TABLE AS changed_photos FOR EACH STATEMENT EXECUTE FUNCTION f_trace_event_photo_list();

UPDATE trace_events e
SET photo_list = (SELECT string_agg(ph.sha256, ',' ORDER BY ph.sort_order, ph.sha256) FROM trace_event_photos ph WHERE ph.event_id = e.id)
WHERE EXISTS (SELECT 1 FROM trace_event_photos ph WHERE ph.event_id = e.id);
