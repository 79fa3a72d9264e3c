-- rolo schema, version 4: structured stage history, and what the reports read.
--
-- A deal's stage changes have always been appended to its timeline as "stage_change"
-- entries reading "Stage: A → B". From now on they also name both stages by id, so the
-- reports (funnel, time in stage, conversion) read the history without parsing text, and
-- a renamed stage keeps its history. A deal's first stage is the from_stage of its first
-- stage change, or its current stage if it never moved.
ALTER TABLE interactions ADD COLUMN from_stage TEXT;
ALTER TABLE interactions ADD COLUMN to_stage TEXT;

-- Best effort for the entries written before: match the text against every pair of stage
-- names, live stages first. An entry naming a stage since renamed matches no pair and
-- keeps NULLs, and the reports read that deal as if it had not made that move. Like
-- last_touched_at this is derived data, written without ops: every device that migrates
-- derives the same values.
UPDATE interactions SET (from_stage, to_stage) = (
    SELECT a.id, b.id FROM stages a, stages b
    WHERE interactions.text = 'Stage: ' || a.name || ' → ' || b.name
    ORDER BY a.deleted_at IS NOT NULL, b.deleted_at IS NOT NULL, a.position, b.position
    LIMIT 1)
WHERE kind = 'stage_change';

-- Each deal's stage history in time order (time spent in each stage), and the moves by
-- stage pair (a deal that moved back from a later stage still counts as having reached
-- it). Both are read alone, without the rows. A redacted entry is an undone move, so it
-- is not history.
CREATE INDEX interactions_stage_history ON interactions (deal_id, occurred_at, from_stage, to_stage)
    WHERE kind = 'stage_change' AND redacted = 0;
CREATE INDEX interactions_stage_moves ON interactions (from_stage, to_stage, deal_id)
    WHERE kind = 'stage_change' AND redacted = 0;

-- Activity per week. Counting the entries of twelve weeks one by one reads hundreds of
-- thousands of index entries at 100,000 contacts (about 90 ms), so the counts per UTC hour
-- and kind are kept in activity_hours by the triggers below, and a report adds up a few
-- thousand of them. Only the parts of hours cut by a week boundary that is not on the
-- hour (the current moment, or midnight in a time zone with a half-hour offset) are
-- counted entry by entry, through interactions_activity. activity_hours is derived data:
-- it has no ops and can be rebuilt from interactions at any time.
--
-- The report indexes of this file each carry a condition that only the reports' queries
-- state (here "occurred_at > ''", always true), so that no other query can use them: the
-- search index rebuild, which reads every live entry, would otherwise read the entries in
-- this index's order instead of the table's, several times slower.
CREATE INDEX interactions_activity ON interactions (substr(occurred_at, 1, 13), kind, occurred_at)
    WHERE redacted = 0 AND superseded_by IS NULL AND occurred_at > '';

CREATE TABLE activity_hours (
    hour TEXT NOT NULL, -- UTC, YYYY-MM-DDTHH: the first 13 characters of occurred_at
    kind TEXT NOT NULL,
    n    INTEGER NOT NULL,
    PRIMARY KEY (hour, kind)
) STRICT, WITHOUT ROWID;

INSERT INTO activity_hours (hour, kind, n)
    SELECT substr(occurred_at, 1, 13), kind, count(*) FROM interactions
    WHERE redacted = 0 AND superseded_by IS NULL AND occurred_at > ''
    AND kind IN ('call', 'email', 'meeting', 'note', 'message')
    GROUP BY substr(occurred_at, 1, 13), kind;

-- A live entry (not redacted, not replaced by an amendment) of a kind a rep logs counts
-- once in the hour it occurred.
CREATE TRIGGER interactions_activity_insert AFTER INSERT ON interactions
    WHEN NEW.redacted = 0 AND NEW.superseded_by IS NULL AND NEW.kind IN ('call', 'email', 'meeting', 'note', 'message')
BEGIN
    INSERT INTO activity_hours (hour, kind, n) VALUES (substr(NEW.occurred_at, 1, 13), NEW.kind, 1)
        ON CONFLICT (hour, kind) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER interactions_activity_update AFTER UPDATE OF kind, occurred_at, redacted, superseded_by ON interactions
BEGIN
    UPDATE activity_hours SET n = n - 1
        WHERE hour = substr(OLD.occurred_at, 1, 13) AND kind = OLD.kind
        AND OLD.redacted = 0 AND OLD.superseded_by IS NULL AND OLD.kind IN ('call', 'email', 'meeting', 'note', 'message');
    INSERT INTO activity_hours (hour, kind, n)
        SELECT substr(NEW.occurred_at, 1, 13), NEW.kind, 1
        WHERE NEW.redacted = 0 AND NEW.superseded_by IS NULL AND NEW.kind IN ('call', 'email', 'meeting', 'note', 'message')
        ON CONFLICT (hour, kind) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER interactions_activity_delete AFTER DELETE ON interactions
    WHEN OLD.redacted = 0 AND OLD.superseded_by IS NULL AND OLD.kind IN ('call', 'email', 'meeting', 'note', 'message')
BEGIN
    UPDATE activity_hours SET n = n - 1 WHERE hour = substr(OLD.occurred_at, 1, 13) AND kind = OLD.kind;
END;

-- The deals a report counts, read from indexes alone: those created in a period (the
-- funnel); those closed, with what the win rate and the cycle read of them; the open ones
-- by expected close date, and those without one, with what the forecast sums (the first
-- also gives the "stale" open deals of the closed_and_stale win rate); the open ones by
-- contact, for the valuable contacts not touched lately; and each deal's creation by id,
-- where a time in stage starts. Each carries a condition that only the reports' queries
-- state (see interactions_activity).
CREATE INDEX deals_created ON deals (created_at, id, stage_id, status, deleted_at, merged_into)
    WHERE deleted_at IS NULL AND merged_into IS NULL AND created_at > '';
CREATE INDEX deals_outcome ON deals (closed_at, id, status, stage_id, contact_id, created_at, stage_entered_at, deleted_at, merged_into)
    WHERE status <> 'open' AND closed_at IS NOT NULL;
CREATE INDEX deals_forecast ON deals (expected_close, stage_id, currency, value, id, contact_id, status, deleted_at, merged_into)
    WHERE status = 'open' AND deleted_at IS NULL AND merged_into IS NULL AND expected_close IS NOT NULL;
CREATE INDEX deals_unscheduled ON deals (stage_id, currency, value, status, deleted_at, merged_into, expected_close)
    WHERE status = 'open' AND deleted_at IS NULL AND merged_into IS NULL AND expected_close IS NULL;
CREATE INDEX deals_open_contact ON deals (contact_id, currency, value, status, deleted_at, merged_into)
    WHERE status = 'open' AND deleted_at IS NULL AND merged_into IS NULL AND contact_id IS NOT NULL;
CREATE INDEX deals_since ON deals (id, created_at);
-- The few deleted or merged deals, left out of the stage history without reading every deal.
CREATE INDEX deals_gone ON deals (id) WHERE deleted_at IS NOT NULL OR merged_into IS NOT NULL;

-- Contacts' last touch by id, for the valuable contacts not touched lately.
CREATE INDEX contacts_touched ON contacts (id, last_touched_at, created_at, deleted_at, merged_into)
    WHERE deleted_at IS NULL AND merged_into IS NULL AND created_at > '';
