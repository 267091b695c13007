-- 考核评价 (#18). A scheme is one version of the office's 考核方案 for a year (its body is the
-- validated JSON of `qx_core::assessment::Scheme`); saving makes a new version, so a run's
-- results always name the version they used. A run scores every assessable unit as of a
-- period's end (a quarter, or the year); its results and items are rows, each item with the
-- figures and records behind it (provenance JSON). Manual points are entered per year with a
-- reason and evidence; objections (异议) are filed on an item during 公示 and answered once,
-- an upheld one recording the item's points before and after.
CREATE TABLE assessment_schemes (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    version     INTEGER NOT NULL,
    body        TEXT    NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (year, name, version)
);

CREATE TABLE assessment_runs (
    id              INTEGER PRIMARY KEY,
    year            INTEGER NOT NULL,
    period          TEXT    NOT NULL,
    plan_id         INTEGER NOT NULL REFERENCES plans(id),
    status          TEXT    NOT NULL,
    publicity_until TEXT,
    created_by      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    finalised_at    INTEGER
);
CREATE INDEX assessment_runs_year ON assessment_runs (year, period);

CREATE TABLE assessment_results (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES assessment_runs(id),
    scheme_id      INTEGER NOT NULL REFERENCES assessment_schemes(id),
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    unit_name      TEXT    NOT NULL,
    score          REAL,
    place          INTEGER,
    previous_place INTEGER,
    lead_days      REAL,
    vetoed         TEXT,
    UNIQUE (run_id, unit_id)
);

CREATE TABLE assessment_items (
    id            INTEGER PRIMARY KEY,
    result_id     INTEGER NOT NULL REFERENCES assessment_results(id),
    item_key      TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    weight        REAL    NOT NULL,
    figure        REAL,
    record_count  INTEGER NOT NULL,
    points        REAL    NOT NULL,
    applicable    INTEGER NOT NULL,
    class_average INTEGER NOT NULL,
    provenance    TEXT    NOT NULL,
    UNIQUE (result_id, item_key)
);

CREATE TABLE assessment_manual (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    item_key    TEXT    NOT NULL,
    points      REAL    NOT NULL,
    reason      TEXT    NOT NULL,
    evidence    TEXT    NOT NULL,
    created_by  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX assessment_manual_year ON assessment_manual (year, unit_id);

CREATE TABLE assessment_objections (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES assessment_runs(id),
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    item_key      TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    evidence      TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    answer        TEXT    NOT NULL DEFAULT '',
    points_before REAL,
    points_after  REAL,
    created_by    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    answered_by   INTEGER,
    answered_at   INTEGER
);
CREATE INDEX assessment_objections_run ON assessment_objections (run_id, unit_id);
