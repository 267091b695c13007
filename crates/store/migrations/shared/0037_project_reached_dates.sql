-- 重大项目 stages reached, stored (#16): per project, the actual dates of 签约, 注册, 开工 and
-- 投产 (NULL: not reached), as `project_stages.actual_on` holds them. The funnel reads them with
-- the project's row instead of four lookups into the stages per project. Kept in the same
-- transaction by every writer of stages, beside the next planned stage (`store/projects/
-- next_stage.rs::refresh`: entry, edit, import, stage moves, 中止 and a move back, which
-- forgets the later stages' dates); `testing::reached_drift` compares them with the stages.

ALTER TABLE projects ADD COLUMN signed_on TEXT;
ALTER TABLE projects ADD COLUMN registered_on TEXT;
ALTER TABLE projects ADD COLUMN started_on TEXT;
ALTER TABLE projects ADD COLUMN producing_on TEXT;

UPDATE projects SET
    signed_on = (SELECT s.actual_on FROM project_stages s
                 WHERE s.project_id = projects.id AND s.stage = 'signed'),
    registered_on = (SELECT s.actual_on FROM project_stages s
                     WHERE s.project_id = projects.id AND s.stage = 'registered'),
    started_on = (SELECT s.actual_on FROM project_stages s
                  WHERE s.project_id = projects.id AND s.stage = 'started'),
    producing_on = (SELECT s.actual_on FROM project_stages s
                    WHERE s.project_id = projects.id AND s.stage = 'producing');
