-- 企业难题 at county scale (100,000 problems): indexes for the list's drivers, the deadline
-- sweep and recompute, and a rate cube kept by triggers so 答复率/解决率/… never scan every row.

-- Open problems by their running deadline: the list's 已超期/临近期限 filters and the sweep.
-- It carries every column the list filters on, so counting those lists reads the index only.
CREATE INDEX problems_open_due ON problems(due_on, category, tier, lead_unit_id, enterprise_id,
    submitted_on, status, title) WHERE status <> 'closed';

-- Open problems grouped by what their deadlines are computed from (recompute reads this
-- index only, one entry per open problem, already in GROUP BY order).
CREATE INDEX problems_open_clock ON problems(category, submitted_on, clock_start, extension_days,
    status, accept_due, answer_due, close_due, due_on) WHERE status <> 'closed';

-- Unanswered open problems by answer deadline: the "overdue unanswered" part of 答复率,
-- the only rate count that depends on today.
CREATE INDEX problems_unanswered ON problems(answer_due, lead_unit_id, tier, category, submitted_on)
    WHERE answered_on IS NULL AND status <> 'closed';

-- Problems by id within a status, for the list's newest-first pages of one status.
CREATE INDEX problems_status_id ON problems(status, id);

-- The rate cube: every problem counted once in its submission year (grain 'Y', period
-- 'YYYY') and once in its month (grain 'M', period 'YYYY-MM'), per lead unit (0 = none),
-- tier and category. Rates over any date range read whole years and months from here and
-- only the partial months at the ends from `problems`.
CREATE TABLE problem_rate_cells (
    grain             TEXT    NOT NULL,
    period            TEXT    NOT NULL,
    lead_unit_id      INTEGER NOT NULL,
    tier              TEXT    NOT NULL,
    category          TEXT    NOT NULL,
    total             INTEGER NOT NULL,
    answered          INTEGER NOT NULL,
    answered_on_time  INTEGER NOT NULL,
    closed            INTEGER NOT NULL,
    resolved          INTEGER NOT NULL,
    rated             INTEGER NOT NULL,
    satisfied         INTEGER NOT NULL,
    answer_workdays   INTEGER NOT NULL,
    close_workdays    INTEGER NOT NULL,
    PRIMARY KEY (grain, period, lead_unit_id, tier, category)
) WITHOUT ROWID;

INSERT INTO problem_rate_cells
SELECT g.grain, substr(p.submitted_on, 1, g.len), COALESCE(p.lead_unit_id, 0), p.tier, p.category, COUNT(*),
    SUM(CASE WHEN p.answered_on IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.answered_on_time = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.status = 'closed' THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.status = 'closed' AND p.resolved = 1 THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.satisfaction IS NOT NULL THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END),
    SUM(CASE WHEN p.answered_on IS NOT NULL THEN COALESCE(p.answer_workdays, 0) ELSE 0 END),
    SUM(CASE WHEN p.status = 'closed' THEN COALESCE(p.close_workdays, 0) ELSE 0 END)
FROM problems p CROSS JOIN (SELECT 'Y' AS grain, 4 AS len UNION ALL SELECT 'M', 7) g
GROUP BY g.grain, substr(p.submitted_on, 1, g.len), COALESCE(p.lead_unit_id, 0), p.tier, p.category;

CREATE TRIGGER problems_rate_cells_insert AFTER INSERT ON problems BEGIN
    INSERT INTO problem_rate_cells VALUES
        ('Y', substr(NEW.submitted_on, 1, 4), COALESCE(NEW.lead_unit_id, 0), NEW.tier, NEW.category, 1,
         CASE WHEN NEW.answered_on IS NOT NULL THEN 1 ELSE 0 END,
         CASE WHEN NEW.answered_on_time = 1 THEN 1 ELSE 0 END,
         CASE WHEN NEW.status = 'closed' THEN 1 ELSE 0 END,
         CASE WHEN NEW.status = 'closed' AND NEW.resolved = 1 THEN 1 ELSE 0 END,
         CASE WHEN NEW.satisfaction IS NOT NULL THEN 1 ELSE 0 END,
         CASE WHEN NEW.satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END,
         CASE WHEN NEW.answered_on IS NOT NULL THEN COALESCE(NEW.answer_workdays, 0) ELSE 0 END,
         CASE WHEN NEW.status = 'closed' THEN COALESCE(NEW.close_workdays, 0) ELSE 0 END),
        ('M', substr(NEW.submitted_on, 1, 7), COALESCE(NEW.lead_unit_id, 0), NEW.tier, NEW.category, 1,
         CASE WHEN NEW.answered_on IS NOT NULL THEN 1 ELSE 0 END,
         CASE WHEN NEW.answered_on_time = 1 THEN 1 ELSE 0 END,
         CASE WHEN NEW.status = 'closed' THEN 1 ELSE 0 END,
         CASE WHEN NEW.status = 'closed' AND NEW.resolved = 1 THEN 1 ELSE 0 END,
         CASE WHEN NEW.satisfaction IS NOT NULL THEN 1 ELSE 0 END,
         CASE WHEN NEW.satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END,
         CASE WHEN NEW.answered_on IS NOT NULL THEN COALESCE(NEW.answer_workdays, 0) ELSE 0 END,
         CASE WHEN NEW.status = 'closed' THEN COALESCE(NEW.close_workdays, 0) ELSE 0 END)
    ON CONFLICT (grain, period, lead_unit_id, tier, category) DO UPDATE SET
        total = total + excluded.total, answered = answered + excluded.answered,
        answered_on_time = answered_on_time + excluded.answered_on_time, closed = closed + excluded.closed,
        resolved = resolved + excluded.resolved, rated = rated + excluded.rated,
        satisfied = satisfied + excluded.satisfied, answer_workdays = answer_workdays + excluded.answer_workdays,
        close_workdays = close_workdays + excluded.close_workdays;
END;

CREATE TRIGGER problems_rate_cells_delete AFTER DELETE ON problems BEGIN
    INSERT INTO problem_rate_cells VALUES
        ('Y', substr(OLD.submitted_on, 1, 4), COALESCE(OLD.lead_unit_id, 0), OLD.tier, OLD.category, -1,
         CASE WHEN OLD.answered_on IS NOT NULL THEN -1 ELSE 0 END,
         CASE WHEN OLD.answered_on_time = 1 THEN -1 ELSE 0 END,
         CASE WHEN OLD.status = 'closed' THEN -1 ELSE 0 END,
         CASE WHEN OLD.status = 'closed' AND OLD.resolved = 1 THEN -1 ELSE 0 END,
         CASE WHEN OLD.satisfaction IS NOT NULL THEN -1 ELSE 0 END,
         CASE WHEN OLD.satisfaction IN ('satisfied', 'basic') THEN -1 ELSE 0 END,
         CASE WHEN OLD.answered_on IS NOT NULL THEN -COALESCE(OLD.answer_workdays, 0) ELSE 0 END,
         CASE WHEN OLD.status = 'closed' THEN -COALESCE(OLD.close_workdays, 0) ELSE 0 END),
        ('M', substr(OLD.submitted_on, 1, 7), COALESCE(OLD.lead_unit_id, 0), OLD.tier, OLD.category, -1,
         CASE WHEN OLD.answered_on IS NOT NULL THEN -1 ELSE 0 END,
         CASE WHEN OLD.answered_on_time = 1 THEN -1 ELSE 0 END,
         CASE WHEN OLD.status = 'closed' THEN -1 ELSE 0 END,
         CASE WHEN OLD.status = 'closed' AND OLD.resolved = 1 THEN -1 ELSE 0 END,
         CASE WHEN OLD.satisfaction IS NOT NULL THEN -1 ELSE 0 END,
         CASE WHEN OLD.satisfaction IN ('satisfied', 'basic') THEN -1 ELSE 0 END,
         CASE WHEN OLD.answered_on IS NOT NULL THEN -COALESCE(OLD.answer_workdays, 0) ELSE 0 END,
         CASE WHEN OLD.status = 'closed' THEN -COALESCE(OLD.close_workdays, 0) ELSE 0 END)
    ON CONFLICT (grain, period, lead_unit_id, tier, category) DO UPDATE SET
        total = total + excluded.total, answered = answered + excluded.answered,
        answered_on_time = answered_on_time + excluded.answered_on_time, closed = closed + excluded.closed,
        resolved = resolved + excluded.resolved, rated = rated + excluded.rated,
        satisfied = satisfied + excluded.satisfied, answer_workdays = answer_workdays + excluded.answer_workdays,
        close_workdays = close_workdays + excluded.close_workdays;
END;

-- A change that moves a problem between cells or counters takes it out of the old cell
-- and puts it in the new one (often the same cell).
CREATE TRIGGER problems_rate_cells_update AFTER UPDATE OF submitted_on, lead_unit_id, tier, category, status,
    answered_on, answered_on_time, resolved, satisfaction, answer_workdays, close_workdays
    ON problems WHEN OLD.submitted_on IS NOT NEW.submitted_on OR OLD.lead_unit_id IS NOT NEW.lead_unit_id OR OLD.tier IS NOT NEW.tier OR OLD.category IS NOT NEW.category OR
    OLD.status IS NOT NEW.status OR OLD.answered_on IS NOT NEW.answered_on OR OLD.answered_on_time IS NOT NEW.answered_on_time OR OLD.resolved IS NOT NEW.resolved OR
    OLD.satisfaction IS NOT NEW.satisfaction OR OLD.answer_workdays IS NOT NEW.answer_workdays OR OLD.close_workdays IS NOT NEW.close_workdays
BEGIN
    INSERT INTO problem_rate_cells VALUES
        ('Y', substr(OLD.submitted_on, 1, 4), COALESCE(OLD.lead_unit_id, 0), OLD.tier, OLD.category, -1,
         CASE WHEN OLD.answered_on IS NOT NULL THEN -1 ELSE 0 END,
         CASE WHEN OLD.answered_on_time = 1 THEN -1 ELSE 0 END,
         CASE WHEN OLD.status = 'closed' THEN -1 ELSE 0 END,
         CASE WHEN OLD.status = 'closed' AND OLD.resolved = 1 THEN -1 ELSE 0 END,
         CASE WHEN OLD.satisfaction IS NOT NULL THEN -1 ELSE 0 END,
         CASE WHEN OLD.satisfaction IN ('satisfied', 'basic') THEN -1 ELSE 0 END,
         CASE WHEN OLD.answered_on IS NOT NULL THEN -COALESCE(OLD.answer_workdays, 0) ELSE 0 END,
         CASE WHEN OLD.status = 'closed' THEN -COALESCE(OLD.close_workdays, 0) ELSE 0 END),
        ('M', substr(OLD.submitted_on, 1, 7), COALESCE(OLD.lead_unit_id, 0), OLD.tier, OLD.category, -1,
         CASE WHEN OLD.answered_on IS NOT NULL THEN -1 ELSE 0 END,
         CASE WHEN OLD.answered_on_time = 1 THEN -1 ELSE 0 END,
         CASE WHEN OLD.status = 'closed' THEN -1 ELSE 0 END,
         CASE WHEN OLD.status = 'closed' AND OLD.resolved = 1 THEN -1 ELSE 0 END,
         CASE WHEN OLD.satisfaction IS NOT NULL THEN -1 ELSE 0 END,
         CASE WHEN OLD.satisfaction IN ('satisfied', 'basic') THEN -1 ELSE 0 END,
         CASE WHEN OLD.answered_on IS NOT NULL THEN -COALESCE(OLD.answer_workdays, 0) ELSE 0 END,
         CASE WHEN OLD.status = 'closed' THEN -COALESCE(OLD.close_workdays, 0) ELSE 0 END)
    ON CONFLICT (grain, period, lead_unit_id, tier, category) DO UPDATE SET
        total = total + excluded.total, answered = answered + excluded.answered,
        answered_on_time = answered_on_time + excluded.answered_on_time, closed = closed + excluded.closed,
        resolved = resolved + excluded.resolved, rated = rated + excluded.rated,
        satisfied = satisfied + excluded.satisfied, answer_workdays = answer_workdays + excluded.answer_workdays,
        close_workdays = close_workdays + excluded.close_workdays;

    INSERT INTO problem_rate_cells VALUES
        ('Y', substr(NEW.submitted_on, 1, 4), COALESCE(NEW.lead_unit_id, 0), NEW.tier, NEW.category, 1,
         CASE WHEN NEW.answered_on IS NOT NULL THEN 1 ELSE 0 END,
         CASE WHEN NEW.answered_on_time = 1 THEN 1 ELSE 0 END,
         CASE WHEN NEW.status = 'closed' THEN 1 ELSE 0 END,
         CASE WHEN NEW.status = 'closed' AND NEW.resolved = 1 THEN 1 ELSE 0 END,
         CASE WHEN NEW.satisfaction IS NOT NULL THEN 1 ELSE 0 END,
         CASE WHEN NEW.satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END,
         CASE WHEN NEW.answered_on IS NOT NULL THEN COALESCE(NEW.answer_workdays, 0) ELSE 0 END,
         CASE WHEN NEW.status = 'closed' THEN COALESCE(NEW.close_workdays, 0) ELSE 0 END),
        ('M', substr(NEW.submitted_on, 1, 7), COALESCE(NEW.lead_unit_id, 0), NEW.tier, NEW.category, 1,
         CASE WHEN NEW.answered_on IS NOT NULL THEN 1 ELSE 0 END,
         CASE WHEN NEW.answered_on_time = 1 THEN 1 ELSE 0 END,
         CASE WHEN NEW.status = 'closed' THEN 1 ELSE 0 END,
         CASE WHEN NEW.status = 'closed' AND NEW.resolved = 1 THEN 1 ELSE 0 END,
         CASE WHEN NEW.satisfaction IS NOT NULL THEN 1 ELSE 0 END,
         CASE WHEN NEW.satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END,
         CASE WHEN NEW.answered_on IS NOT NULL THEN COALESCE(NEW.answer_workdays, 0) ELSE 0 END,
         CASE WHEN NEW.status = 'closed' THEN COALESCE(NEW.close_workdays, 0) ELSE 0 END)
    ON CONFLICT (grain, period, lead_unit_id, tier, category) DO UPDATE SET
        total = total + excluded.total, answered = answered + excluded.answered,
        answered_on_time = answered_on_time + excluded.answered_on_time, closed = closed + excluded.closed,
        resolved = resolved + excluded.resolved, rated = rated + excluded.rated,
        satisfied = satisfied + excluded.satisfied, answer_workdays = answer_workdays + excluded.answer_workdays,
        close_workdays = close_workdays + excluded.close_workdays;
END;
