-- 例会 agenda at county scale (#19): partial indexes holding only the rows the agenda's
-- queries read, in the order they read them.

-- Problems escalated to the 例会 tier and still open, oldest first (tier leads so SQLite's
-- planner prefers it to problems_tier without statistics).
CREATE INDEX problems_meeting_open ON problems(tier, submitted_on, id)
    WHERE tier = 'meeting' AND status NOT IN ('closed', 'withdrawn');

-- 督办 items not yet 销号, earliest deadline first.
CREATE INDEX supervision_items_open ON supervision_items(deadline, id)
    WHERE status <> 'closed';

-- Each project's next planned stage: stages with a planned date and not yet reached.
CREATE INDEX project_stages_next ON project_stages(project_id, planned_on)
    WHERE actual_on IS NULL AND planned_on IS NOT NULL;

-- Whether an item is already on a meeting's agenda.
CREATE INDEX agenda_items_source ON agenda_items(meeting_id, source_kind, source_id);
