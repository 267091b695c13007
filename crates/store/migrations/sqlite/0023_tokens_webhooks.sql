-- Service tokens (接口令牌) and signed webhooks with a delivery log (#20).
--
-- A token is stored as the SHA-256 of its secret only; `prefix` (the first characters of the
-- secret) lets the office tell tokens apart in the list. `last_used_at` moves at most once a
-- minute (the audit row of a use is written with it).
CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users(id),
    name          TEXT    NOT NULL,
    scope         TEXT    NOT NULL,
    secret_hash   TEXT    NOT NULL UNIQUE,
    prefix        TEXT    NOT NULL,
    created_by    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    last_used_ip  TEXT    NOT NULL DEFAULT '',
    revoked_at    INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- Endpoints the county's events are posted to, each with the events it wants.
CREATE TABLE webhook_endpoints (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    secret      TEXT    NOT NULL,
    format      TEXT    NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE webhook_subscriptions (
    endpoint_id  INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event        TEXT    NOT NULL,
    PRIMARY KEY (endpoint_id, event)
);
CREATE INDEX webhook_subscriptions_event ON webhook_subscriptions(event);

-- One event to one endpoint, written in the transaction that raised the event, so an event
-- is never lost to a process that dies before sending it. `lease_until` is the claim of the
-- sender working on it (several app servers may send).
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    endpoint_id      INTEGER NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    event            TEXT    NOT NULL,
    notice_id        INTEGER,
    payload          TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_until      INTEGER NOT NULL DEFAULT 0,
    last_code        INTEGER,
    last_error       TEXT    NOT NULL DEFAULT '',
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, id);

-- Every attempt: the response code (none when the connection failed), the error, how long.
CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY,
    delivery_id  INTEGER NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    status_code  INTEGER,
    error        TEXT    NOT NULL DEFAULT '',
    duration_ms  INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, id);

-- The one URL of `notify.webhook_url` becomes an endpoint subscribed to every event (its
-- messages were unsigned; the receiver may ignore the new headers). It gets a random secret
-- that the office sees and changes on the endpoint's page.
INSERT INTO webhook_endpoints (name, url, secret, format, enabled, created_at, updated_at)
SELECT '原推送地址', TRIM(value), lower(hex(randomblob(32))), 'json', 1, CAST(strftime('%s', 'now') AS INTEGER),
       CAST(strftime('%s', 'now') AS INTEGER)
FROM settings WHERE key = 'notify.webhook_url' AND TRIM(value) <> '';

INSERT INTO webhook_subscriptions (endpoint_id, event)
SELECT e.id, c.code FROM webhook_endpoints e,
      (SELECT 'report.submitted' AS code
       UNION ALL SELECT 'report.returned' AS code
       UNION ALL SELECT 'report.approved' AS code
       UNION ALL SELECT 'report.withdrawn' AS code
       UNION ALL SELECT 'report.late' AS code
       UNION ALL SELECT 'problem.created' AS code
       UNION ALL SELECT 'problem.handling' AS code
       UNION ALL SELECT 'problem.answered' AS code
       UNION ALL SELECT 'problem.closed' AS code
       UNION ALL SELECT 'problem.escalated' AS code
       UNION ALL SELECT 'problem.near' AS code
       UNION ALL SELECT 'problem.overdue' AS code
       UNION ALL SELECT 'problem.extension' AS code
       UNION ALL SELECT 'bulletin.issued' AS code
       UNION ALL SELECT 'evaluation.objection' AS code
       UNION ALL SELECT 'project.stage' AS code
       UNION ALL SELECT 'project.alert' AS code
       UNION ALL SELECT 'lead' AS code
       UNION ALL SELECT 'meeting' AS code
       UNION ALL SELECT 'supervision.assigned' AS code
       UNION ALL SELECT 'supervision.fed_back' AS code
       UNION ALL SELECT 'supervision.returned' AS code
       UNION ALL SELECT 'supervision.urged' AS code
       UNION ALL SELECT 'supervision.closed' AS code
       UNION ALL SELECT 'supervision.attention' AS code
       UNION ALL SELECT 'supervision.overdue' AS code
       UNION ALL SELECT 'cultivation.reminder' AS code
       UNION ALL SELECT 'assessment.objection' AS code
       UNION ALL SELECT 'assessment.result' AS code) c;

-- The setting now lives on as that endpoint.
DELETE FROM settings WHERE key = 'notify.webhook_url';
