-- rolo schema, version 2: indexes for the agenda (`rolo today`) and the pipeline board.
--
-- Measured on the standard data set (100,000 contacts): each count of the agenda and each
-- board total read thousands of rows one at a time (today's agenda took 280 ms, the board
-- 100 ms); with these indexes they read index entries only (about 3 ms each).

-- Lists ordered by a time "then by id" read these indexes in that order and stop at their
-- limit; without the id, every row sharing a time (hundreds of all-day follow-ups share
-- today's midnight) is fetched and sorted first.

-- Open follow-ups by due time, with the all-day flag that decides between overdue and due
-- today. It replaces follow_ups_open, which lacked both.
CREATE INDEX follow_ups_agenda ON follow_ups (due_at, id, all_day) WHERE done_at IS NULL AND deleted_at IS NULL;
DROP INDEX follow_ups_open;

-- Open deals, longest in their stage first: the rotting list stops after the first few.
CREATE INDEX deals_stuck ON deals (stage_entered_at, id) WHERE status = 'open' AND deleted_at IS NULL;

-- The board: open deals' totals per stage and currency, and how long each has been in its
-- stage, for the rotting count per stage. The three columns of the WHERE clause are stored
-- too, though constant: the planner counts an index as covering only if it holds every
-- column the query names, and without them it may prefer deals_open and read each deal.
CREATE INDEX deals_board ON deals (stage_id, currency, value, status, deleted_at, merged_into)
    WHERE status = 'open' AND deleted_at IS NULL AND merged_into IS NULL;
CREATE INDEX deals_board_age ON deals (stage_id, stage_entered_at, status, deleted_at, merged_into)
    WHERE status = 'open' AND deleted_at IS NULL AND merged_into IS NULL;

-- Contacts with a stay-in-touch cadence by the moment they become neglected: their last
-- touch (or their creation) plus the cadence. The agenda's query uses the same expression.
CREATE INDEX contacts_touch_due ON contacts (
    strftime('%Y-%m-%dT%H:%M:%fZ', coalesce(last_touched_at, created_at), '+' || cadence_days || ' days'), id)
    WHERE cadence_days IS NOT NULL AND deleted_at IS NULL AND merged_into IS NULL;
