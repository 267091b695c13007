-- 重大项目 monthly 调度 (#16): each project's figures for a reporting period, filled by the
-- responsible unit beside its indicators and approved with the unit's submission of that
-- period (the row follows the submission's status; it has no approval of its own).
-- Amounts in 万元 (外资到位 in 万美元), NULL meaning not reported.

CREATE TABLE project_dispatches (
    period_id     BIGINT  NOT NULL REFERENCES report_periods(id),
    project_id    BIGINT  NOT NULL REFERENCES projects(id),
    unit_id       BIGINT  NOT NULL REFERENCES units(id),
    invested_wan  DOUBLE PRECISION,
    foreign_wusd  DOUBLE PRECISION,
    domestic_wan  DOUBLE PRECISION,
    progress      TEXT    NOT NULL DEFAULT '',
    progress_pct  DOUBLE PRECISION,
    blockers      TEXT    NOT NULL DEFAULT '',
    problem_id    BIGINT,
    updated_by    BIGINT,
    updated_at    BIGINT  NOT NULL,
    PRIMARY KEY (period_id, project_id)
);
CREATE INDEX project_dispatches_project ON project_dispatches(project_id, period_id);
CREATE INDEX project_dispatches_unit ON project_dispatches(unit_id, period_id);
