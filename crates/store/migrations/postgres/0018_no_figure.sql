-- 本月无数据: a unit may answer an indicator of a month with "no figure this month" and a
-- reason instead of a figure. The mark lives beside the figures of the submission (never both
-- for one indicator): readers of indicator_values see no figure, never a zero. Each sending
-- (历次报送) keeps the marks it carried, as a JSON array of [indicator id, reason].
CREATE TABLE indicator_no_data (
    submission_id  BIGINT  NOT NULL REFERENCES submissions(id),
    indicator_id   BIGINT  NOT NULL REFERENCES indicators(id),
    reason         TEXT    NOT NULL CHECK (reason <> ''),
    PRIMARY KEY (submission_id, indicator_id)
);
CREATE INDEX indicator_no_data_indicator ON indicator_no_data(indicator_id);

ALTER TABLE submission_sendings ADD COLUMN no_data_json TEXT NOT NULL DEFAULT '[]';
