-- A unit's indicators in a plan (its report form, its template, every submission's check)
-- were found by scanning the plan's indicators.
CREATE INDEX indicators_lead_unit ON indicators(lead_unit_id, plan_id);
