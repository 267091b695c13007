-- 考核评价 manual points with their evidence file (#18): one file per entry, checked by the one
-- attachment rule; entries can be changed until the year's result is final.
CREATE TABLE assessment_manual_files (
    manual_id     INTEGER PRIMARY KEY REFERENCES assessment_manual(id) ON DELETE CASCADE,
    filename      TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    data          BLOB    NOT NULL,
    uploaded_by   INTEGER,
    created_at    INTEGER NOT NULL
);
