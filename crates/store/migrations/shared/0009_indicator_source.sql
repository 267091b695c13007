-- Where an indicator's figure comes from: reported each period by its lead unit (manual), or
-- computed from the problems module (企业难题): 难题答复率 and 难题解决率 fill in by themselves.
-- Publishing a plan sets it from the indicator's wording; the office may change it.

ALTER TABLE indicators ADD COLUMN source TEXT NOT NULL DEFAULT 'manual'
    CHECK (source IN ('manual', 'problem_answer_rate', 'problem_solve_rate'));

-- Plans published before this version: the same rule as `indicator_source::infer_source`
-- (答复率 / 解决率 in an indicator about 难题 or 问题, or under a section about 难题; 按时/及时答复率
-- is a different measure and stays manual).
UPDATE indicators SET source = 'problem_answer_rate'
WHERE (name LIKE '%答复率%' OR text LIKE '%答复率%')
  AND NOT (name LIKE '%按时答复率%' OR text LIKE '%按时答复率%'
           OR name LIKE '%及时答复率%' OR text LIKE '%及时答复率%')
  AND (name LIKE '%难题%' OR name LIKE '%问题%' OR text LIKE '%难题%' OR text LIKE '%问题%'
       OR EXISTS (SELECT 1 FROM plan_items pi
                  WHERE pi.plan_id = indicators.plan_id AND pi.number = indicators.section
                    AND (pi.text LIKE '%难题%' OR COALESCE(pi.heading, '') LIKE '%难题%')));

UPDATE indicators SET source = 'problem_solve_rate'
WHERE source = 'manual'
  AND (name LIKE '%解决率%' OR text LIKE '%解决率%')
  AND (name LIKE '%难题%' OR name LIKE '%问题%' OR text LIKE '%难题%' OR text LIKE '%问题%'
       OR EXISTS (SELECT 1 FROM plan_items pi
                  WHERE pi.plan_id = indicators.plan_id AND pi.number = indicators.section
                    AND (pi.text LIKE '%难题%' OR COALESCE(pi.heading, '') LIKE '%难题%')));
