-- 重大项目 blocker → 企业难题 (#16): the timeline entry that raised a problem names it, so the
-- project shows the link and the problem shows the project.

ALTER TABLE project_events ADD COLUMN problem_id BIGINT REFERENCES problems(id);
CREATE INDEX project_events_problem ON project_events(problem_id);
