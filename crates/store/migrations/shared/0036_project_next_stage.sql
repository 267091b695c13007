-- 重大项目 next planned stage, stored (#16): per project, the stage not reached yet with the
-- earliest planned date (two on the same date: the earlier in the ladder 签约 → 注册 → 开工 →
-- 投产), and that date. It is what a project is overdue against; the alerts sweep reads it
-- with the project's row instead of every pending stage. Kept in the same transaction by every
-- writer of stages or planned dates (`store/projects/next_stage.rs`: entry, edit, import, stage
-- moves, 中止 and a move back); `testing::next_stage_drift` compares it with the stages.

ALTER TABLE projects ADD COLUMN next_stage TEXT;
ALTER TABLE projects ADD COLUMN next_planned_on TEXT;

UPDATE projects SET
    next_stage = (SELECT s.stage FROM project_stages s
                  WHERE s.project_id = projects.id AND s.actual_on IS NULL AND s.planned_on IS NOT NULL
                  ORDER BY s.planned_on,
                      CASE s.stage WHEN 'negotiating' THEN 0 WHEN 'signed' THEN 1 WHEN 'registered' THEN 2
                                   WHEN 'started' THEN 3 WHEN 'producing' THEN 4 ELSE 5 END
                  LIMIT 1),
    next_planned_on = (SELECT MIN(s.planned_on) FROM project_stages s
                       WHERE s.project_id = projects.id AND s.actual_on IS NULL AND s.planned_on IS NOT NULL);

-- The indicator stage counts (`store/projects/counts.rs`) read the stages reached in a range
-- of days and the 开工 stages planned in a range, each less the projects halted by the day:
-- with the project in the index both are index-only (the table lookup per stage was most of
-- their time on SQLite).
DROP INDEX project_stages_actual;
CREATE INDEX project_stages_actual ON project_stages(stage, actual_on, project_id);
CREATE INDEX project_stages_planned ON project_stages(stage, planned_on, actual_on, project_id);
