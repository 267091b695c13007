-- 企业培育库 list at county scale (#17). The list reads one stage at a time in its display order
-- (stage, then stage_since newest first, then id), so these indexes hold that order after the
-- pipeline and status (and the town, for a town's list): a page is a seek and a short range, and
-- the per-stage count that locates an offset is read from the index alone.
-- cultivation_entries_list (migration 0020: pipeline, status, stage) is a prefix of the first
-- and therefore goes.
CREATE INDEX cultivation_entries_order ON cultivation_entries(pipeline_id, status, stage_id, stage_since DESC, id);
CREATE INDEX cultivation_entries_town_order ON cultivation_entries(pipeline_id, status, town_id, stage_id, stage_since DESC, id);
DROP INDEX cultivation_entries_list;
