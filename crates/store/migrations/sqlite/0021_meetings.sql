-- 工业强县工作例会 and 督办 become a module of their own (core::meeting). A meeting has its
-- attending units, an agenda of items (each from a source: an escalated problem, a red
-- indicator, an overdue task, an open 督办 item, or typed by the office) with the responsible
-- unit's 情况说明, and its decisions (议定事项: a lead unit, support units, a deadline); each
-- decision is followed as one 督办 item with its steps. The issued 纪要 is kept as issued.
CREATE TABLE meetings (
    id              INTEGER PRIMARY KEY,
    kind            TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    held_on         TEXT    NOT NULL,
    place           TEXT    NOT NULL DEFAULT '',
    convenor        TEXT    NOT NULL DEFAULT '',
    status          TEXT    NOT NULL,
    statement_due   TEXT,
    minutes_docx    BLOB,
    minutes_issued_at INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX meetings_held_on ON meetings(held_on);

CREATE TABLE meeting_units (
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (meeting_id, unit_id)
);
CREATE INDEX meeting_units_unit ON meeting_units(unit_id);

CREATE TABLE agenda_items (
    id            INTEGER PRIMARY KEY,
    meeting_id    INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    source_kind   TEXT    NOT NULL,
    source_id     INTEGER,
    text          TEXT    NOT NULL,
    unit_id       INTEGER REFERENCES units(id),
    statement     TEXT    NOT NULL DEFAULT '',
    statement_at  INTEGER,
    created_at    INTEGER NOT NULL
);
CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id, position);

CREATE TABLE resolutions (
    id              INTEGER PRIMARY KEY,
    meeting_id      INTEGER NOT NULL REFERENCES meetings(id),
    agenda_item_id  INTEGER REFERENCES agenda_items(id),
    problem_id      INTEGER REFERENCES problems(id),
    text            TEXT    NOT NULL,
    lead_unit_id    INTEGER NOT NULL REFERENCES units(id),
    deadline        TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX resolutions_meeting ON resolutions(meeting_id);

CREATE TABLE resolution_units (
    resolution_id  INTEGER NOT NULL REFERENCES resolutions(id),
    unit_id        INTEGER NOT NULL REFERENCES units(id),
    PRIMARY KEY (resolution_id, unit_id)
);

CREATE TABLE supervision_items (
    id             INTEGER PRIMARY KEY,
    resolution_id  INTEGER NOT NULL UNIQUE REFERENCES resolutions(id),
    lead_unit_id   INTEGER NOT NULL REFERENCES units(id),
    deadline       TEXT    NOT NULL,
    feedback_due   TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    progress       TEXT    NOT NULL DEFAULT '',
    return_reason  TEXT    NOT NULL DEFAULT '',
    closed_on      TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX supervision_items_unit ON supervision_items(lead_unit_id, status);

CREATE TABLE supervision_events (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES supervision_items(id),
    step        TEXT    NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    user_id     INTEGER,
    actor       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX supervision_events_item ON supervision_events(item_id, id);

-- The decisions recorded on the problems module's page move here: one held meeting per
-- distinct date, each decision a resolution with its own id, its follow-up a 督办 item
-- (已落实 → 销号, 落实中 → 办理中 with the progress typed so far).
INSERT INTO meetings (kind, title, held_on, status, created_at, updated_at)
SELECT 'regular', '工业强县工作例会', meeting_date, 'held', MIN(created_at), MAX(updated_at)
FROM meeting_decisions GROUP BY meeting_date ORDER BY meeting_date;
INSERT INTO meeting_units (meeting_id, unit_id)
SELECT DISTINCT m.id, d.owner_unit_id FROM meeting_decisions d JOIN meetings m ON m.held_on = d.meeting_date;
INSERT INTO resolutions (id, meeting_id, problem_id, text, lead_unit_id, deadline, created_at)
SELECT d.id, m.id, d.problem_id, d.decision, d.owner_unit_id, d.due_on, d.created_at
FROM meeting_decisions d JOIN meetings m ON m.held_on = d.meeting_date;
INSERT INTO supervision_items (id, resolution_id, lead_unit_id, deadline, feedback_due, status, progress, closed_on, created_at, updated_at)
SELECT id, id, owner_unit_id, due_on, due_on, CASE status WHEN 'done' THEN 'closed' ELSE 'handling' END,
       progress, done_on, created_at, updated_at
FROM meeting_decisions;
DROP TABLE meeting_decisions;
