-- 重大项目库 at county scale (#16): what 本年已完成投资 reads, index-only. A project's approved
-- 调度 of its year is summed from its dispatch rows (project, period, reporting unit, amount)
-- and, for each, whether that unit's submission of the period is approved.

-- A project's dispatch rows with what the sum needs, in project order (the grouped sums read
-- it without touching the table).
CREATE INDEX project_dispatches_sum ON project_dispatches(project_id, period_id, unit_id, invested_wan);

-- Whether a unit's submission of a period is approved: one probe (`dispatch_approved!`).
CREATE INDEX submissions_approved ON submissions(period_id, unit_id) WHERE status = 'approved';
