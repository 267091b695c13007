-- 企业培育库, the rest of #17.
--
-- 专精特新 gets the stages the plan names: 隐形冠军 before the champion pool, and 单项冠军示范
-- after it (二.6.(3): 单项冠军入库培育企业8家, 市级制造业单项冠军示范企业2家). Stages after the
-- pool (any the office appended) move two places down; ids never change, so entries stay put.
UPDATE cultivation_stages SET ordinal = ordinal + 1000
 WHERE ordinal >= 4 AND pipeline_id = (SELECT id FROM cultivation_pipelines WHERE code = 'zjtx');
UPDATE cultivation_stages SET ordinal = CASE WHEN milestone = 'champion' THEN 5 ELSE ordinal - 998 END
 WHERE ordinal >= 1000 AND pipeline_id = (SELECT id FROM cultivation_pipelines WHERE code = 'zjtx');
UPDATE cultivation_stages SET name = '制造业单项冠军(入库培育)'
 WHERE milestone = 'champion' AND name = '制造业单项冠军';
INSERT INTO cultivation_stages (pipeline_id, ordinal, name, milestone)
SELECT id, 4, '隐形冠军', NULL FROM cultivation_pipelines WHERE code = 'zjtx';
INSERT INTO cultivation_stages (pipeline_id, ordinal, name, milestone)
SELECT id, 6, '制造业单项冠军示范', 'champion_model' FROM cultivation_pipelines WHERE code = 'zjtx';

-- The one-stage lists count toward 培育创新型初创企业 and 新增市级以上工程(技术)中心.
UPDATE cultivation_stages SET milestone = 'startup'
 WHERE ordinal = 1 AND milestone IS NULL
   AND pipeline_id = (SELECT id FROM cultivation_pipelines WHERE code = 'cxcc');
UPDATE cultivation_stages SET milestone = 'engineering_centre'
 WHERE ordinal = 1 AND milestone IS NULL
   AND pipeline_id = (SELECT id FROM cultivation_pipelines WHERE code = 'gczx');

-- An entry that has not moved for this many days is stalled: the daily sweep reminds its town
-- or department and its service contact, once per stall. NULL: the pipeline never stalls
-- (the one-stage lists).
ALTER TABLE cultivation_pipelines ADD COLUMN stall_days INTEGER;
UPDATE cultivation_pipelines SET stall_days = 180 WHERE code IN ('xsg', 'gzq');
UPDATE cultivation_pipelines SET stall_days = 365 WHERE code IN ('ipo', 'zjtx');

-- An official list (高新技术企业名单, 专精特新名单, 个体户名单) read and matched against the
-- registry, kept until the office confirms it: nothing reaches the pipeline before. `rows_json`
-- holds every row as read with its match (or the close names proposed); applying it is one
-- audited transaction.
CREATE TABLE cultivation_imports (
    id          INTEGER PRIMARY KEY,
    pipeline_id INTEGER NOT NULL REFERENCES cultivation_pipelines(id),
    stage_id    INTEGER NOT NULL REFERENCES cultivation_stages(id),
    file_name   TEXT    NOT NULL,
    on_date     TEXT    NOT NULL,
    rows_json   TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('pending', 'applied', 'discarded')),
    user_id     INTEGER,
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER
);
CREATE INDEX cultivation_imports_status ON cultivation_imports(status, id);
