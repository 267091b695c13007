-- 企业培育库: cultivation pipelines as data. A pipeline has ordered stages (a stage may carry
-- the support policy that applies, and a milestone a plan indicator counts), entry criteria in
-- words and optionally a rule over the yearly facts (`revenue_wan >= 2000`, read by
-- `qx_core::cultivation::FactRule`), a responsible unit and an optional validity in years.
-- An entry is one enterprise (or one 个体工商户, before it has a credit code) on one pipeline;
-- every move is a dated row of cultivation_moves (the entry's timeline), audited.
CREATE TABLE cultivation_pipelines (
    id                  INTEGER PRIMARY KEY,
    code                TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL,
    criteria            TEXT    NOT NULL DEFAULT '',
    rule                TEXT    NOT NULL DEFAULT '',
    responsible_unit_id INTEGER REFERENCES units(id),
    validity_years      INTEGER,
    ordinal             INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);

CREATE TABLE cultivation_stages (
    id                INTEGER PRIMARY KEY,
    pipeline_id       INTEGER NOT NULL REFERENCES cultivation_pipelines(id),
    ordinal           INTEGER NOT NULL,
    name              TEXT    NOT NULL,
    milestone         TEXT    UNIQUE,
    policy_text       TEXT    NOT NULL DEFAULT '',
    policy_amount_wan TEXT,
    UNIQUE (pipeline_id, ordinal)
);

CREATE TABLE cultivation_entries (
    id             INTEGER PRIMARY KEY,
    pipeline_id    INTEGER NOT NULL REFERENCES cultivation_pipelines(id),
    enterprise_id  INTEGER REFERENCES enterprises(id),
    name           TEXT    NOT NULL,
    reg_no         TEXT    NOT NULL DEFAULT '',
    town_id        INTEGER REFERENCES units(id),
    stage_id       INTEGER NOT NULL REFERENCES cultivation_stages(id),
    status         TEXT    NOT NULL CHECK (status IN ('active', 'exited')),
    entered_on     TEXT    NOT NULL,
    stage_since    TEXT    NOT NULL,
    expires_on     TEXT,
    certificate_no TEXT    NOT NULL DEFAULT '',
    board          TEXT    NOT NULL DEFAULT '',
    stock_code     TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (pipeline_id, enterprise_id)
);
CREATE INDEX cultivation_entries_list ON cultivation_entries(pipeline_id, status, stage_id);
CREATE INDEX cultivation_entries_enterprise ON cultivation_entries(enterprise_id);
CREATE INDEX cultivation_entries_town ON cultivation_entries(town_id);

CREATE TABLE cultivation_moves (
    id            INTEGER PRIMARY KEY,
    entry_id      INTEGER NOT NULL REFERENCES cultivation_entries(id),
    kind          TEXT    NOT NULL CHECK (kind IN ('enter', 'advance', 'back', 'exit', 'reenter')),
    from_stage_id INTEGER REFERENCES cultivation_stages(id),
    to_stage_id   INTEGER REFERENCES cultivation_stages(id),
    on_date       TEXT    NOT NULL,
    evidence      TEXT    NOT NULL DEFAULT '',
    user_id       INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX cultivation_moves_entry ON cultivation_moves(entry_id, id);
CREATE INDEX cultivation_moves_reached ON cultivation_moves(to_stage_id, on_date);

-- The built-in pipelines of the 2017 plan; the office edits names, stages, rules and policies.
INSERT INTO cultivation_pipelines (code, name, criteria, rule, validity_years, ordinal, updated_at) VALUES
 ('xsg', '小升规', '年主营业务收入达到2000万元的工业企业纳入规模以上统计', 'revenue_wan >= 2000', NULL, 1, 0),
 ('gzq', '个转企', '个体工商户转为公司制企业、个人独资企业或合伙企业', '', NULL, 2, 0),
 ('ipo', '上市', '上市储备企业管理(凤凰行动)', '', NULL, 3, 0),
 ('zjtx', '专精特新', '创新型中小企业 → 专精特新中小企业 → 专精特新"小巨人" → 制造业单项冠军', '', NULL, 4, 0),
 ('gxjs', '高新技术企业', '经认定的高新技术企业, 有效期三年', '', 3, 5, 0),
 ('kjxzx', '科技型中小企业', '经评价入库的科技型中小企业, 有效期三年', '', 3, 6, 0),
 ('cxcc', '创新型初创企业', '培育的创新型初创企业', '', NULL, 7, 0),
 ('gczx', '工程(技术)中心', '市级、省级企业工程(技术)中心', '', NULL, 8, 0);

INSERT INTO cultivation_stages (pipeline_id, ordinal, name, milestone)
SELECT p.id, s.ordinal, s.name, s.milestone FROM cultivation_pipelines p JOIN (
          SELECT 'xsg' AS code, 1 AS ordinal, '培育对象' AS name, NULL AS milestone
    UNION ALL SELECT 'xsg', 2, '达到规模标准', NULL
    UNION ALL SELECT 'xsg', 3, '纳入规上统计', 'above_scale'
    UNION ALL SELECT 'gzq', 1, '个体工商户', NULL
    UNION ALL SELECT 'gzq', 2, '转为企业', 'converted'
    UNION ALL SELECT 'ipo', 1, '上市储备', NULL
    UNION ALL SELECT 'ipo', 2, '股改', NULL
    UNION ALL SELECT 'ipo', 3, '辅导备案', NULL
    UNION ALL SELECT 'ipo', 4, '申报受理', NULL
    UNION ALL SELECT 'ipo', 5, '审核通过/注册', NULL
    UNION ALL SELECT 'ipo', 6, '上市', 'listed'
    UNION ALL SELECT 'zjtx', 1, '创新型中小企业', NULL
    UNION ALL SELECT 'zjtx', 2, '专精特新中小企业', NULL
    UNION ALL SELECT 'zjtx', 3, '专精特新"小巨人"', NULL
    UNION ALL SELECT 'zjtx', 4, '制造业单项冠军', 'champion'
    UNION ALL SELECT 'gxjs', 1, '认定', 'high_tech'
    UNION ALL SELECT 'kjxzx', 1, '评价入库', 'tech_sme'
    UNION ALL SELECT 'cxcc', 1, '培育', NULL
    UNION ALL SELECT 'gczx', 1, '认定', NULL
) s ON s.code = p.code;
