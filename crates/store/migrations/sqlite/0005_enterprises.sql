-- 企业名录 and 亩均效益综合评价: the registry's remaining fields, cultivation tags, yearly facts
-- per data year, versioned evaluation schemes (TOML text), evaluation runs with per-item
-- provenance, manual class overrides (调档) and objections raised during 公示.
-- Quantities the engine works on are f64 (REAL); NULL means no data.

ALTER TABLE enterprises ADD COLUMN land_mu REAL;
ALTER TABLE enterprises ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN service_contact TEXT NOT NULL DEFAULT '';
ALTER TABLE enterprises ADD COLUMN service_phone TEXT NOT NULL DEFAULT '';
CREATE INDEX enterprises_town ON enterprises(town_id);
CREATE INDEX enterprises_industry ON enterprises(industry_code);

-- 培育标签: 高新技术企业, 科技型小微, 小升规培育, 上市储备, 单项冠军培育, 个转企 …
CREATE TABLE enterprise_tags (
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
    tag           TEXT    NOT NULL,
    PRIMARY KEY (enterprise_id, tag)
);
CREATE INDEX enterprise_tags_tag ON enterprise_tags(tag);

-- One row per enterprise and data year (数据年度), in the units of shared/contracts/eval.md.
CREATE TABLE enterprise_facts (
    enterprise_id    INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
    year             INTEGER NOT NULL,
    scale            TEXT    NOT NULL CHECK (scale IN ('above', 'below')),
    land_mu          REAL,
    tax_wan          REAL,
    added_value_wan  REAL,
    energy_tce       REAL,
    emission_t       REAL,
    employees        REAL,
    rd_wan           REAL,
    revenue_wan      REAL,
    electricity_wkwh REAL,
    source           TEXT    NOT NULL DEFAULT '',
    updated_at       INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, year)
);
CREATE INDEX enterprise_facts_year ON enterprise_facts(year);

-- 评价方案: every version kept; the highest version of a year is the one in force.
CREATE TABLE eval_schemes (
    id          INTEGER PRIMARY KEY,
    year        INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    toml        TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    created_by  INTEGER,
    created_at  INTEGER NOT NULL,
    UNIQUE (year, version)
);

-- An evaluation of one data year under one scheme version. draft → publicity (公示) → final.
CREATE TABLE eval_runs (
    id             INTEGER PRIMARY KEY,
    year           INTEGER NOT NULL,
    scheme_id      INTEGER REFERENCES eval_schemes(id),
    scheme_name    TEXT    NOT NULL,
    scheme_toml    TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('draft', 'publicity', 'final')),
    enterprises    INTEGER NOT NULL,
    warnings       TEXT    NOT NULL DEFAULT '',
    publicity_from TEXT,
    publicity_to   TEXT,
    created_by     INTEGER,
    created_at     INTEGER NOT NULL,
    finalized_at   INTEGER
);
CREATE INDEX eval_runs_year ON eval_runs(year);

-- One enterprise's result in a run, with the facts it was computed from (snapshot) and the
-- per-item provenance as JSON: [{"key","label","value","benchmark","weight","score","imputed"}].
CREATE TABLE eval_results (
    run_id          INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
    enterprise_id   INTEGER NOT NULL REFERENCES enterprises(id),
    scale           TEXT    NOT NULL,
    town_id         INTEGER,
    industry_code   TEXT,
    group_label     TEXT    NOT NULL,
    group_size      INTEGER NOT NULL,
    total           REAL    NOT NULL,
    adjustment      REAL    NOT NULL DEFAULT 0,
    rank_no         INTEGER NOT NULL,
    initial_class   TEXT    NOT NULL,
    class           TEXT    NOT NULL,
    adjust_reason   TEXT,
    land_mu         REAL,
    tax_wan         REAL,
    added_value_wan REAL,
    items           TEXT    NOT NULL,
    PRIMARY KEY (run_id, enterprise_id)
);
CREATE INDEX eval_results_enterprise ON eval_results(enterprise_id);

-- 调档: a manual class with its reason; the result row carries the current class.
CREATE TABLE eval_overrides (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    from_class    TEXT    NOT NULL,
    to_class      TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    created_by    INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX eval_overrides_run ON eval_overrides(run_id, enterprise_id);

-- 公示异议: raised by an enterprise during the publicity period, answered by the office.
CREATE TABLE eval_objections (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id),
    text          TEXT    NOT NULL,
    status        TEXT    NOT NULL CHECK (status IN ('open', 'accepted', 'rejected')),
    reply         TEXT    NOT NULL DEFAULT '',
    submitted_by  INTEGER,
    submitted_at  INTEGER NOT NULL,
    replied_by    INTEGER,
    replied_at    INTEGER
);
CREATE INDEX eval_objections_run ON eval_objections(run_id, enterprise_id);
