-- rolo schema, version 8: each deal's next step, from an index.
--
-- The weekly review and a deal's detail ask for every open deal's earliest open
-- follow-up. follow_ups_deal holds every follow-up of a deal, done or not, and the rows
-- themselves must be read for due_at; this index holds only the open ones, in the order
-- the question is asked, with what the answer needs.
CREATE INDEX follow_ups_next_step ON follow_ups (deal_id, due_at, id, all_day)
    WHERE deal_id IS NOT NULL AND done_at IS NULL AND deleted_at IS NULL;
