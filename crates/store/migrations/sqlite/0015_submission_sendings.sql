-- 历次报送: every time a unit hands its report in, what it sent then (figures, notes, task
-- lines, as JSON arrays of [id, text, text]) is kept with who sent it and when, and later what
-- became of that sending (approved, returned with its comment, withdrawn by the unit). A
-- returned report sent again is a new sending of the same revision, so the first one is never
-- overwritten.
CREATE TABLE submission_sendings (
    id              INTEGER PRIMARY KEY,
    submission_id   INTEGER NOT NULL REFERENCES submissions(id),
    sent_by         INTEGER REFERENCES users(id),
    sent_at         INTEGER NOT NULL,
    values_json     TEXT    NOT NULL,
    tasks_json      TEXT    NOT NULL,
    decision        TEXT    CHECK (decision IN ('approved', 'returned', 'withdrawn')),
    decided_by      INTEGER REFERENCES users(id),
    decided_at      INTEGER,
    comment         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX submission_sendings_submission ON submission_sendings(submission_id, id);
