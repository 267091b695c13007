-- 企业难题: problems, their timeline, attachments, routing, time limits, service contacts,
-- in-app notices and the 工作例会 decisions that follow escalated problems up.
-- Dates are ISO 'YYYY-MM-DD' text (so they compare as text); timestamps Unix seconds.

CREATE TABLE problems (
    id                INTEGER PRIMARY KEY,
    enterprise_id     INTEGER NOT NULL REFERENCES enterprises(id),
    category          TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    contact_name      TEXT    NOT NULL DEFAULT '',
    contact_phone     TEXT    NOT NULL DEFAULT '',
    source            TEXT    NOT NULL DEFAULT 'web',
    status            TEXT    NOT NULL,
    tier              TEXT    NOT NULL,
    lead_unit_id      INTEGER REFERENCES units(id),
    proposed_unit_id  INTEGER REFERENCES units(id),
    submitted_on      TEXT    NOT NULL,
    clock_start       TEXT    NOT NULL,
    accept_due        TEXT    NOT NULL,
    answer_due        TEXT    NOT NULL,
    close_due         TEXT    NOT NULL,
    due_on            TEXT    NOT NULL,
    extension_days    INTEGER NOT NULL DEFAULT 0,
    extension_pending INTEGER NOT NULL DEFAULT 0,
    extension_reason  TEXT    NOT NULL DEFAULT '',
    return_reason     TEXT    NOT NULL DEFAULT '',
    urge_count        INTEGER NOT NULL DEFAULT 0,
    escalations       INTEGER NOT NULL DEFAULT 0,
    redo_count        INTEGER NOT NULL DEFAULT 0,
    accepted_on       TEXT,
    answered_on       TEXT,
    closed_on         TEXT,
    answer            TEXT    NOT NULL DEFAULT '',
    resolved          INTEGER,
    satisfaction      TEXT,
    rating_comment    TEXT    NOT NULL DEFAULT '',
    answer_workdays   INTEGER,
    close_workdays    INTEGER,
    answered_on_time  INTEGER,
    created_by        INTEGER,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);
CREATE INDEX problems_status ON problems(status, due_on);
CREATE INDEX problems_lead ON problems(lead_unit_id, status);
CREATE INDEX problems_enterprise ON problems(enterprise_id);
CREATE INDEX problems_submitted ON problems(submitted_on);
CREATE INDEX problems_tier ON problems(tier, status);

-- 协办 units.
CREATE TABLE problem_support_units (
    problem_id  INTEGER NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (problem_id, unit_id)
);
CREATE INDEX problem_support_units_unit ON problem_support_units(unit_id);

-- The timeline shown on a problem's page (the audit log holds the same steps, chained).
CREATE TABLE problem_events (
    id           INTEGER PRIMARY KEY,
    problem_id   INTEGER NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    actor_id     INTEGER,
    actor        TEXT    NOT NULL,
    action       TEXT    NOT NULL,
    from_status  TEXT    NOT NULL DEFAULT '',
    to_status    TEXT    NOT NULL DEFAULT '',
    note         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX problem_events_problem ON problem_events(problem_id, id);

CREATE TABLE problem_attachments (
    id            INTEGER PRIMARY KEY,
    problem_id    INTEGER NOT NULL REFERENCES problems(id) ON DELETE CASCADE,
    filename      TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    data          BLOB    NOT NULL,
    uploaded_by   INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX problem_attachments_problem ON problem_attachments(problem_id);

-- 企服责任人: the "一对一" service contact of each enterprise.
CREATE TABLE problem_service_contacts (
    enterprise_id  INTEGER PRIMARY KEY REFERENCES enterprises(id),
    user_id        INTEGER NOT NULL REFERENCES users(id),
    assigned_at    INTEGER NOT NULL
);
CREATE INDEX problem_service_contacts_user ON problem_service_contacts(user_id);

-- Which county department a category goes to (by unit name, resolved through aliases).
CREATE TABLE problem_routes (
    category   TEXT PRIMARY KEY,
    unit_name  TEXT NOT NULL
);
INSERT INTO problem_routes (category, unit_name) VALUES
    ('land', '县国土资源局'), ('labour', '县人社局'), ('finance', '县金融办'), ('approval', '县审管办'),
    ('policy', '县经信局'), ('infrastructure', '县住建局'), ('other', '县经信局');

-- Time limits in working days per category.
CREATE TABLE problem_time_limits (
    category     TEXT    PRIMARY KEY,
    accept_days  INTEGER NOT NULL,
    answer_days  INTEGER NOT NULL,
    close_days   INTEGER NOT NULL
);
INSERT INTO problem_time_limits (category, accept_days, answer_days, close_days) VALUES
    ('land', 1, 5, 15), ('labour', 1, 5, 15), ('finance', 1, 5, 15), ('approval', 1, 5, 15),
    ('policy', 1, 5, 15), ('infrastructure', 1, 5, 15), ('other', 1, 5, 15);

-- In-app notices; `audience` is office | unit | enterprise, with the unit or enterprise id.
-- `dedupe_key` keeps a deadline warning from repeating for the same due date.
CREATE TABLE problem_notices (
    id              INTEGER PRIMARY KEY,
    problem_id      INTEGER REFERENCES problems(id) ON DELETE CASCADE,
    audience        TEXT    NOT NULL,
    audience_id     INTEGER,
    kind            TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    dedupe_key      TEXT    UNIQUE,
    created_at      INTEGER NOT NULL,
    webhook_status  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX problem_notices_audience ON problem_notices(audience, audience_id, id);

-- 工作例会 decisions on escalated problems, followed up like problems.
CREATE TABLE meeting_decisions (
    id             INTEGER PRIMARY KEY,
    problem_id     INTEGER REFERENCES problems(id),
    meeting_date   TEXT    NOT NULL,
    decision       TEXT    NOT NULL,
    owner_unit_id  INTEGER NOT NULL REFERENCES units(id),
    due_on         TEXT    NOT NULL,
    status         TEXT    NOT NULL DEFAULT 'open',
    progress       TEXT    NOT NULL DEFAULT '',
    done_on        TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX meeting_decisions_owner ON meeting_decisions(owner_unit_id, status);
