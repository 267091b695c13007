-- One inbox for every module (站内通知). A notice names who it is for (a user, a unit, an
-- enterprise, the office, the leaders, or both of those) and what it is about (a subject
-- type and id); the page it leads to is derived when it is read, after checking the reader
-- may still open the subject. Each user marks a notice read for themselves: a unit's notice
-- is read by each of its liaisons separately.
CREATE TABLE notices (
    id              INTEGER PRIMARY KEY,
    audience        TEXT    NOT NULL,
    audience_id     INTEGER,
    kind            TEXT    NOT NULL,
    subject_type    TEXT    NOT NULL,
    subject_id      INTEGER,
    message         TEXT    NOT NULL,
    dedupe_key      TEXT    UNIQUE,
    created_at      INTEGER NOT NULL,
    webhook_status  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX notices_audience ON notices(audience, audience_id, id);
CREATE INDEX notices_subject ON notices(subject_type, subject_id);

CREATE TABLE notice_reads (
    notice_id   INTEGER NOT NULL REFERENCES notices(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    read_at     INTEGER NOT NULL,
    PRIMARY KEY (notice_id, user_id)
);
CREATE INDEX notice_reads_user ON notice_reads(user_id, notice_id);

-- The two earlier notice tables move in, oldest first. Problem notices to "office" were read
-- by the office and the leaders alike: the county audience keeps that.
INSERT INTO notices (audience, audience_id, kind, subject_type, subject_id, message, dedupe_key,
                     created_at, webhook_status)
SELECT CASE audience WHEN 'office' THEN 'county' ELSE audience END,
       CASE audience WHEN 'office' THEN NULL ELSE audience_id END,
       'problem.' || kind,
       CASE WHEN problem_id IS NULL THEN 'none' ELSE 'problem' END,
       problem_id, message, dedupe_key, created_at, webhook_status
FROM problem_notices ORDER BY id;

INSERT INTO notices (audience, audience_id, kind, subject_type, subject_id, message, created_at)
SELECT 'unit', unit_id, kind,
       CASE WHEN link LIKE '/report/%' THEN 'report_period' ELSE 'none' END,
       CASE WHEN link LIKE '/report/%' THEN CAST(substr(link, 9) AS INTEGER) END,
       title, created_at
FROM unit_notices ORDER BY id;

DROP TABLE problem_notices;
DROP TABLE unit_notices;
