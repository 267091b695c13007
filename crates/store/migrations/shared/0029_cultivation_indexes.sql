-- 企业培育库 at county scale (#17): the indicators count, per milestone stage, the entries that
-- reached it by date (`Store::cultivation_reached_by_month`, one grouped query). This index
-- answers it from the index alone: stage, date, kind and entry. It covers what
-- cultivation_moves_reached (migration 0020: stage and date) did, which therefore goes.
CREATE INDEX cultivation_moves_reached_by ON cultivation_moves(to_stage_id, on_date, kind, entry_id);
DROP INDEX cultivation_moves_reached;
