-- Bulletins (月度快报 / 季度通报): the frozen snapshot a bulletin was built from and the files
-- published from it. A published bulletin never changes: triggers refuse UPDATE and DELETE, so
-- republishing an old period hands out the archived content whatever was corrected since.

CREATE TABLE bulletins (
    id                 INTEGER PRIMARY KEY,
    plan_id            INTEGER NOT NULL REFERENCES plans(id),
    kind               TEXT    NOT NULL CHECK (kind IN ('monthly', 'quarterly')),
    period             TEXT    NOT NULL,
    doc_number         TEXT    NOT NULL UNIQUE,
    title              TEXT    NOT NULL,
    snapshot_json      TEXT    NOT NULL,
    snapshot_sha256    TEXT    NOT NULL,
    published_by       INTEGER REFERENCES users(id),
    published_by_name  TEXT    NOT NULL,
    published_at       INTEGER NOT NULL,
    UNIQUE (plan_id, kind, period)
);

CREATE TABLE bulletin_files (
    bulletin_id  INTEGER NOT NULL REFERENCES bulletins(id),
    format       TEXT    NOT NULL CHECK (format IN ('docx', 'xlsx', 'html')),
    file_name    TEXT    NOT NULL,
    mime         TEXT    NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    PRIMARY KEY (bulletin_id, format)
);

CREATE TRIGGER bulletins_no_update BEFORE UPDATE ON bulletins
BEGIN SELECT RAISE(ABORT, 'published bulletins are immutable'); END;
CREATE TRIGGER bulletins_no_delete BEFORE DELETE ON bulletins
BEGIN SELECT RAISE(ABORT, 'published bulletins are immutable'); END;
CREATE TRIGGER bulletin_files_no_update BEFORE UPDATE ON bulletin_files
BEGIN SELECT RAISE(ABORT, 'published bulletins are immutable'); END;
CREATE TRIGGER bulletin_files_no_delete BEFORE DELETE ON bulletin_files
BEGIN SELECT RAISE(ABORT, 'published bulletins are immutable'); END;
