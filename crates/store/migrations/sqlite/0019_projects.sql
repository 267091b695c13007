-- 重大项目库 and 招商线索 (#16): projects with their stages (planned and actual dates), the
-- timeline, leads and the module's settings. Dates are ISO 'YYYY-MM-DD' text; timestamps Unix
-- seconds; amounts in 万元 (外资 contracted in 万美元) as REAL, NULL meaning not given.

CREATE TABLE projects (
    id                     INTEGER PRIMARY KEY,
    year                   INTEGER NOT NULL,
    name                   TEXT    NOT NULL,
    investor               TEXT    NOT NULL DEFAULT '',
    credit_code            TEXT,
    enterprise_id          INTEGER REFERENCES enterprises(id),
    capital_kind           TEXT    NOT NULL,
    source                 TEXT    NOT NULL,
    industry               TEXT    NOT NULL DEFAULT '',
    town_id                INTEGER REFERENCES units(id),
    total_investment_wan   REAL    NOT NULL,
    foreign_contract_wusd  REAL,
    annual_plan_wan        REAL,
    completed_wan          REAL,
    land_mu                REAL,
    content                TEXT    NOT NULL DEFAULT '',
    unit_id                INTEGER NOT NULL REFERENCES units(id),
    contact                TEXT    NOT NULL DEFAULT '',
    leader_user_id         INTEGER REFERENCES users(id),
    stage                  TEXT    NOT NULL,
    stage_since            TEXT    NOT NULL,
    halt_reason            TEXT    NOT NULL DEFAULT '',
    lead_id                INTEGER,
    created_by             INTEGER,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL
);
CREATE INDEX projects_year_stage ON projects(year, stage);
CREATE INDEX projects_unit ON projects(unit_id, year);
CREATE INDEX projects_town ON projects(town_id, year);
CREATE INDEX projects_leader ON projects(leader_user_id);
CREATE INDEX projects_credit_code ON projects(credit_code);
CREATE INDEX projects_investment ON projects(year, total_investment_wan);

CREATE TABLE project_stages (
    project_id   INTEGER NOT NULL REFERENCES projects(id),
    stage        TEXT    NOT NULL,
    planned_on   TEXT,
    actual_on    TEXT,
    evidence     TEXT    NOT NULL DEFAULT '',
    moved_by     INTEGER REFERENCES users(id),
    moved_at     INTEGER,
    PRIMARY KEY (project_id, stage)
);
CREATE INDEX project_stages_actual ON project_stages(stage, actual_on);

CREATE TABLE project_events (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects(id),
    at          INTEGER NOT NULL,
    actor_id    INTEGER,
    actor_name  TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    from_stage  TEXT,
    to_stage    TEXT,
    note        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX project_events_project ON project_events(project_id, id);

CREATE TABLE leads (
    id                 INTEGER PRIMARY KEY,
    investor           TEXT    NOT NULL,
    industry           TEXT    NOT NULL DEFAULT '',
    intended_wan       REAL,
    contact            TEXT    NOT NULL DEFAULT '',
    found_by           TEXT    NOT NULL DEFAULT '',
    note               TEXT    NOT NULL DEFAULT '',
    status             TEXT    NOT NULL,
    submitted_by       INTEGER,
    submitter_unit_id  INTEGER REFERENCES units(id),
    submitter_enterprise_id INTEGER REFERENCES enterprises(id),
    follow_unit_id     INTEGER REFERENCES units(id),
    reward             TEXT    NOT NULL DEFAULT '',
    decision_note      TEXT    NOT NULL DEFAULT '',
    project_id         INTEGER REFERENCES projects(id),
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX leads_status ON leads(status, created_at);
CREATE INDEX leads_submitter ON leads(submitted_by);
CREATE INDEX leads_follow_unit ON leads(follow_unit_id);

CREATE TABLE project_settings (
    key    TEXT    PRIMARY KEY,
    value  INTEGER NOT NULL
);
