-- Monitoring: reporting windows, units' submissions (with revisions after approval),
-- reported figures and task progress, last year's figures for seasonality, reminders.

CREATE TABLE report_periods (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans(id),
    period      TEXT    NOT NULL,
    due_on      TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at   INTEGER NOT NULL,
    UNIQUE (plan_id, period)
);

CREATE TABLE submissions (
    id              INTEGER PRIMARY KEY,
    period_id       INTEGER NOT NULL REFERENCES report_periods(id),
    unit_id         INTEGER NOT NULL REFERENCES units(id),
    revision        INTEGER NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'approved', 'superseded')),
    submitted_by    INTEGER REFERENCES users(id),
    submitted_at    INTEGER,
    reviewed_by     INTEGER REFERENCES users(id),
    reviewed_at     INTEGER,
    review_comment  TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (period_id, unit_id, revision)
);
CREATE INDEX submissions_unit ON submissions(unit_id, status);
CREATE INDEX submissions_period ON submissions(period_id, status);

CREATE TABLE indicator_values (
    submission_id  INTEGER NOT NULL REFERENCES submissions(id),
    indicator_id   INTEGER NOT NULL REFERENCES indicators(id),
    value          TEXT    NOT NULL,
    note           TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (submission_id, indicator_id)
);
CREATE INDEX indicator_values_indicator ON indicator_values(indicator_id);

CREATE TABLE task_reports (
    submission_id  INTEGER NOT NULL REFERENCES submissions(id),
    task_id        INTEGER NOT NULL REFERENCES tasks(id),
    progress       TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    PRIMARY KEY (submission_id, task_id)
);
CREATE INDEX task_reports_task ON task_reports(task_id);

CREATE TABLE report_attachments (
    id             INTEGER PRIMARY KEY,
    submission_id  INTEGER NOT NULL REFERENCES submissions(id),
    task_id        INTEGER REFERENCES tasks(id),
    file_name      TEXT    NOT NULL,
    mime           TEXT    NOT NULL,
    size           INTEGER NOT NULL,
    data           BLOB    NOT NULL,
    created_at     INTEGER NOT NULL
);

-- Last year's 1—N月累计 figures, for growth context and seasonal forecasts.
CREATE TABLE indicator_baselines (
    indicator_id  INTEGER NOT NULL REFERENCES indicators(id),
    month         INTEGER NOT NULL,
    value         TEXT    NOT NULL,
    PRIMARY KEY (indicator_id, month)
);

CREATE TABLE unit_notices (
    id          INTEGER PRIMARY KEY,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    kind        TEXT    NOT NULL,
    title       TEXT    NOT NULL,
    link        TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    read_at     INTEGER
);
CREATE INDEX unit_notices_unit ON unit_notices(unit_id, read_at);
