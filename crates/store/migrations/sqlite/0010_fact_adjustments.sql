-- 加分/减分 and 一票否决 inputs per enterprise and data year: the columns a year's scheme names in
-- [[adjustments]], [[vetoes]] and input.extra_columns (e.g. safety_bonus, major_accident), stored
-- by column name so any scheme's columns fit. A veto flag is stored as 1 (是) or 0 (否).
CREATE TABLE enterprise_fact_extras (
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
    year          INTEGER NOT NULL,
    column_name   TEXT    NOT NULL,
    value         REAL    NOT NULL,
    source        TEXT    NOT NULL DEFAULT '',
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (enterprise_id, year, column_name)
);
CREATE INDEX enterprise_fact_extras_year ON enterprise_fact_extras(year);

-- Per-result provenance of 加减分 and 一票否决: [{"kind","column","label","value","points","class","source"}].
ALTER TABLE eval_results ADD COLUMN adjustments TEXT NOT NULL DEFAULT '[]';
