-- Plans: an imported document (draft), reviewed by the office, then published into the
-- indicators and tasks that monitoring, bulletins and assessment run on.

CREATE TABLE plans (
    id            INTEGER PRIMARY KEY,
    year          INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    doc_number    TEXT    NOT NULL DEFAULT '',
    issuer        TEXT    NOT NULL DEFAULT '',
    issued_on     TEXT,
    status        TEXT    NOT NULL CHECK (status IN ('draft', 'published', 'withdrawn')),
    source_name   TEXT    NOT NULL DEFAULT '',
    source_format TEXT    NOT NULL DEFAULT '',
    source_text   TEXT    NOT NULL DEFAULT '',
    created_by    INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    published_at  INTEGER,
    published_by  INTEGER
);
CREATE INDEX plans_year ON plans(year, status);

CREATE TABLE plan_items (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    number      TEXT    NOT NULL,
    depth       INTEGER NOT NULL,
    ordinal     INTEGER NOT NULL,
    heading     TEXT,
    text        TEXT    NOT NULL,
    deadline    TEXT    NOT NULL DEFAULT '',
    line_first  INTEGER NOT NULL DEFAULT 0,
    line_last   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (plan_id, number)
);

-- Responsible units of an item, as written and (when known) resolved to the registry.
CREATE TABLE plan_item_units (
    item_id   INTEGER NOT NULL REFERENCES plan_items(id) ON DELETE CASCADE,
    ordinal   INTEGER NOT NULL,
    name      TEXT    NOT NULL,
    unit_id   INTEGER REFERENCES units(id),
    role      TEXT    NOT NULL CHECK (role IN ('lead', 'support')),
    PRIMARY KEY (item_id, ordinal)
);

CREATE TABLE plan_targets (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    level       TEXT    NOT NULL CHECK (level IN ('plan', 'task')),
    section     TEXT    NOT NULL DEFAULT '',
    ordinal     INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    value       TEXT    NOT NULL,
    value_max   TEXT,
    unit        TEXT    NOT NULL,
    comparator  TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    unit_id     INTEGER REFERENCES units(id),
    included    INTEGER NOT NULL DEFAULT 1,
    line        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plan_targets_plan ON plan_targets(plan_id, level, ordinal);

-- Published: the indicators monitoring tracks ...
CREATE TABLE indicators (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plans(id),
    target_id     INTEGER REFERENCES plan_targets(id),
    ordinal       INTEGER NOT NULL,
    level         TEXT    NOT NULL,
    section       TEXT    NOT NULL DEFAULT '',
    name          TEXT    NOT NULL,
    text          TEXT    NOT NULL,
    unit          TEXT    NOT NULL,
    target_value  TEXT    NOT NULL,
    target_max    TEXT,
    comparator    TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    lead_unit_id  INTEGER REFERENCES units(id),
    profile       TEXT    NOT NULL DEFAULT 'linear',
    frequency     TEXT    NOT NULL DEFAULT 'month',
    UNIQUE (plan_id, ordinal)
);

-- ... and the tasks units report progress on.
CREATE TABLE tasks (
    id        INTEGER PRIMARY KEY,
    plan_id   INTEGER NOT NULL REFERENCES plans(id),
    item_id   INTEGER REFERENCES plan_items(id),
    number    TEXT    NOT NULL,
    title     TEXT    NOT NULL,
    text      TEXT    NOT NULL,
    deadline  TEXT    NOT NULL DEFAULT '',
    ordinal   INTEGER NOT NULL,
    UNIQUE (plan_id, number)
);

CREATE TABLE task_units (
    task_id  INTEGER NOT NULL REFERENCES tasks(id),
    unit_id  INTEGER NOT NULL REFERENCES units(id),
    role     TEXT    NOT NULL CHECK (role IN ('lead', 'support')),
    PRIMARY KEY (task_id, unit_id)
);
CREATE INDEX task_units_unit ON task_units(unit_id);
