-- 企业培育库 recomputed at county scale (#17).
--
-- 小升规 candidates are the firms below scale whose revenue is at or above the office's floor:
-- a range of this index (scale, revenue), carrying the firm and year so that the fact rows
-- themselves are not read, then the latest year of each by the primary key, instead of
-- reading every fact row.
CREATE INDEX enterprise_facts_scale_revenue ON enterprise_facts(scale, revenue_wan, enterprise_id, year);

-- The plan's cultivation indicators count, per milestone stage and month, the entries that
-- first reached the stage in the year (`Store::cultivation_reached_by_month`). Read from the
-- moves that is a grouping of every move of the year per entry; this table holds its result,
-- per stage and day: how many entries reached the stage for the first time in that day's year
-- on that day. It is kept by the one writer of moves (`insert_move`), in the move's own
-- transaction; moves are never updated or deleted. Filled here from the moves so far.
CREATE TABLE cultivation_reached_days (
    stage_id BIGINT  NOT NULL REFERENCES cultivation_stages(id),
    on_date  TEXT    NOT NULL,
    entries  BIGINT  NOT NULL,
    PRIMARY KEY (stage_id, on_date)
);
INSERT INTO cultivation_reached_days (stage_id, on_date, entries)
SELECT stage_id, first_on, COUNT(*) FROM (
    SELECT to_stage_id AS stage_id, MIN(on_date) AS first_on FROM cultivation_moves
    WHERE to_stage_id IS NOT NULL AND kind IN ('enter', 'advance', 'reenter')
    GROUP BY to_stage_id, entry_id, SUBSTR(on_date, 1, 4)
) firsts GROUP BY stage_id, first_on;

-- The API pages a pipeline's entries by id after its cursor (`Store::cultivation_entries_after`):
-- a seek on (pipeline, status, id past the cursor) and a walk in id order, never a sort of the
-- pipeline's entries.
CREATE INDEX cultivation_entries_by_id ON cultivation_entries(pipeline_id, status, id);

-- A pipeline's list filtered by industry starts from the firms in the industry's range and
-- finds each one's entry on the pipeline (`by_industry!` in store/cultivation/entries.rs). Both
-- steps read an index alone with these: the firm's code and id, and the entry's firm, pipeline,
-- status and what the list tests and orders by (stage, town, date, id). They replace the
-- single-column indexes they begin with.
CREATE INDEX enterprises_industry_firm ON enterprises(industry_code, id);
DROP INDEX enterprises_industry;
CREATE INDEX cultivation_entries_firm
    ON cultivation_entries(enterprise_id, pipeline_id, status, stage_id, town_id, stage_since, id);
DROP INDEX cultivation_entries_enterprise;
