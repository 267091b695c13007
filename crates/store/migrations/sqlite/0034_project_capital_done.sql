-- 重大项目 实际利用外资 / 利用内资, stored (#16): per reporting period, the sums of 外资到位
-- (万美元) and 内资到位 (万元) of the period's approved monthly 调度 (a 调度 row counts once its
-- unit's submission of the period is approved). A row exists once a 调度 row of the period
-- counts; an amount is NULL when every counted row left it blank (SUM over blanks), as the sum
-- read it. The plan's indicators read these as of a day (`project_stage_counts_as_of`): up to
-- twelve rows of the year instead of every project's months.
-- Kept in step in the same transaction by the writers of `project_year_done` (a save of a
-- unit's 调度, the approval or return of its submission): `store/projects/year_done.rs`.

CREATE TABLE project_capital_done (
    period_id     INTEGER NOT NULL PRIMARY KEY REFERENCES report_periods(id),
    foreign_wusd  REAL,
    domestic_wan  REAL
);

INSERT INTO project_capital_done (period_id, foreign_wusd, domestic_wan)
SELECT d.period_id, SUM(d.foreign_wusd), SUM(d.domestic_wan)
FROM project_dispatches d
WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.period_id = d.period_id
              AND s.unit_id = d.unit_id AND s.status = 'approved')
GROUP BY d.period_id;
