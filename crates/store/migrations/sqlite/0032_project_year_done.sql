-- 重大项目 本年已完成投资, stored (#16): per project and year, the sum of the 本月完成投资 of the
-- approved monthly 调度 of that year (a 调度 row counts once its unit's submission of the
-- period is approved). A row exists once a month of that year is approved; its amount is NULL
-- when every approved month left 本月完成投资 blank (SUM over blanks), as the sum read it.
-- Kept in step in the same transaction by every write that changes what counts (a save of a
-- unit's 调度, the approval or return of its submission): `store/projects/year_done.rs`.
-- The light, the list, the alerts sweep and the 例会 agenda read it instead of re-summing the
-- months; readers as of a month (考核, the bulletin's 重大项目推进情况) still sum the months.

CREATE TABLE project_year_done (
    project_id    INTEGER NOT NULL REFERENCES projects(id),
    year          INTEGER NOT NULL,
    invested_wan  REAL,
    PRIMARY KEY (project_id, year)
);

INSERT INTO project_year_done (project_id, year, invested_wan)
SELECT d.project_id, CAST(substr(rp.period, 1, 4) AS INTEGER), SUM(d.invested_wan)
FROM project_dispatches d JOIN report_periods rp ON rp.id = d.period_id
WHERE EXISTS (SELECT 1 FROM submissions s WHERE s.period_id = d.period_id
              AND s.unit_id = d.unit_id AND s.status = 'approved')
GROUP BY d.project_id, CAST(substr(rp.period, 1, 4) AS INTEGER);
