-- Failed logins per client address (so one address cannot lock out the county's accounts or
-- grow the audit log without bound), and the row /healthz writes to prove writes still work.
CREATE TABLE login_throttle (
    addr          TEXT    PRIMARY KEY,
    window_start  INTEGER NOT NULL,
    failures      INTEGER NOT NULL
);

CREATE TABLE health_probe (
    id    INTEGER PRIMARY KEY,
    data  BLOB    NOT NULL
);

-- Expired sessions are purged by age and by idleness.
CREATE INDEX sessions_last_seen ON sessions(last_seen_at);
CREATE INDEX sessions_created ON sessions(created_at);
