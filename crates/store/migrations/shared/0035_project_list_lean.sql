-- 重大项目库 list (#16): the lean pass (`list_projects_page`) reads every selected project's
-- few columns in the list's order (year DESC, 总投资 DESC, id). This index holds them in that
-- order, with every column the scope and the filters test, so the pass reads the index alone:
-- no table lookup per project and no sort. 10,000 projects on SQLite: ~30 → ~22 ms CPU for
-- the statement alone.
CREATE INDEX projects_list_lean ON projects(year DESC, total_investment_wan DESC, id,
    annual_plan_wan, completed_wan, stage, stage_since, unit_id, town_id, leader_user_id,
    credit_code, name, investor);
