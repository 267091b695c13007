-- 企业难题 at county scale (100,000 problems): indexes for the list's drivers, the deadline
-- sweep and recompute, and a rate cube kept by triggers so 答复率/解决率/… never scan every row.

-- SQLite's instr(haystack, needle) (a plain substring test, no wildcards), so the list's
-- search is one statement on both engines; inlined by the planner.
CREATE OR REPLACE FUNCTION instr(text, text) RETURNS integer LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS 'SELECT strpos($1, $2)';

-- Open problems by their running deadline: the list's 已超期/临近期限 filters and the sweep.
-- It carries every column the list filters on, so counting those lists reads the index only.
CREATE INDEX problems_open_due ON problems(due_on, category, tier, lead_unit_id, enterprise_id,
    submitted_on, status, title) WHERE status <> 'closed';

-- Open problems grouped by what their deadlines are computed from (recompute).
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
    grain             TEXT   NOT NULL,
    period            TEXT   NOT NULL,
    lead_unit_id      BIGINT NOT NULL,
    tier              TEXT   NOT NULL,
    category          TEXT   NOT NULL,
    total             BIGINT NOT NULL,
    answered          BIGINT NOT NULL,
    answered_on_time  BIGINT NOT NULL,
    closed            BIGINT NOT NULL,
    resolved          BIGINT NOT NULL,
    rated             BIGINT NOT NULL,
    satisfied         BIGINT NOT NULL,
    answer_workdays   BIGINT NOT NULL,
    close_workdays    BIGINT NOT NULL,
    PRIMARY KEY (grain, period, lead_unit_id, tier, category)
);

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
FROM problems p CROSS JOIN (VALUES ('Y', 4), ('M', 7)) AS g(grain, len)
GROUP BY g.grain, substr(p.submitted_on, 1, g.len), COALESCE(p.lead_unit_id, 0), p.tier, p.category;

-- Adds one problem's counts (sign 1) or takes them away (sign -1) in its year and month cells.
CREATE FUNCTION problem_rate_cells_add(p problems, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO problem_rate_cells AS c
    SELECT g.grain, substr(p.submitted_on, 1, g.len), COALESCE(p.lead_unit_id, 0), p.tier, p.category, sign,
        sign * (CASE WHEN p.answered_on IS NOT NULL THEN 1 ELSE 0 END),
        sign * (CASE WHEN p.answered_on_time = 1 THEN 1 ELSE 0 END),
        sign * (CASE WHEN p.status = 'closed' THEN 1 ELSE 0 END),
        sign * (CASE WHEN p.status = 'closed' AND p.resolved = 1 THEN 1 ELSE 0 END),
        sign * (CASE WHEN p.satisfaction IS NOT NULL THEN 1 ELSE 0 END),
        sign * (CASE WHEN p.satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END),
        sign * (CASE WHEN p.answered_on IS NOT NULL THEN COALESCE(p.answer_workdays, 0) ELSE 0 END),
        sign * (CASE WHEN p.status = 'closed' THEN COALESCE(p.close_workdays, 0) ELSE 0 END)
    FROM (VALUES ('Y', 4), ('M', 7)) AS g(grain, len)
    ON CONFLICT (grain, period, lead_unit_id, tier, category) DO UPDATE SET
        total = c.total + excluded.total, answered = c.answered + excluded.answered,
        answered_on_time = c.answered_on_time + excluded.answered_on_time, closed = c.closed + excluded.closed,
        resolved = c.resolved + excluded.resolved, rated = c.rated + excluded.rated,
        satisfied = c.satisfied + excluded.satisfied, answer_workdays = c.answer_workdays + excluded.answer_workdays,
        close_workdays = c.close_workdays + excluded.close_workdays;
END;
$$;

CREATE FUNCTION problems_rate_cells_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM problem_rate_cells_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM problem_rate_cells_add(NEW, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER problems_rate_cells AFTER INSERT OR DELETE ON problems
    FOR EACH ROW EXECUTE PROCEDURE problems_rate_cells_trigger();
-- A change that moves a problem between cells or counters takes it out of the old cell
-- and puts it in the new one (often the same cell).
CREATE TRIGGER problems_rate_cells_update AFTER UPDATE ON problems FOR EACH ROW
    WHEN (OLD.submitted_on IS DISTINCT FROM NEW.submitted_on OR OLD.lead_unit_id IS DISTINCT FROM NEW.lead_unit_id
        OR OLD.tier IS DISTINCT FROM NEW.tier OR OLD.category IS DISTINCT FROM NEW.category
        OR OLD.status IS DISTINCT FROM NEW.status OR OLD.answered_on IS DISTINCT FROM NEW.answered_on
        OR OLD.answered_on_time IS DISTINCT FROM NEW.answered_on_time OR OLD.resolved IS DISTINCT FROM NEW.resolved
        OR OLD.satisfaction IS DISTINCT FROM NEW.satisfaction OR OLD.answer_workdays IS DISTINCT FROM NEW.answer_workdays
        OR OLD.close_workdays IS DISTINCT FROM NEW.close_workdays)
    EXECUTE PROCEDURE problems_rate_cells_trigger();
