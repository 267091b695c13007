-- An enterprise may withdraw a problem before the office accepts it (status 'withdrawn'). A
-- withdrawn problem is as finished as a closed one: no clock runs, nobody owes an answer, so
-- it must not count as overdue or unanswered. The open-problem indexes of 0007 are rebuilt
-- with the predicate the queries now use (`qx_store::problems::open_sql!`).
DROP INDEX problems_open_due;
CREATE INDEX problems_open_due ON problems(due_on, category, tier, lead_unit_id, enterprise_id,
    submitted_on, status, title) WHERE status NOT IN ('closed', 'withdrawn');

DROP INDEX problems_open_clock;
CREATE INDEX problems_open_clock ON problems(category, submitted_on, clock_start, extension_days,
    status, accept_due, answer_due, close_due, due_on) WHERE status NOT IN ('closed', 'withdrawn');

DROP INDEX problems_unanswered;
CREATE INDEX problems_unanswered ON problems(answer_due, lead_unit_id, tier, category, submitted_on)
    WHERE answered_on IS NULL AND status NOT IN ('closed', 'withdrawn');
