-- A unit's submit into a new revision in one call, as its draft save already was (0012).
--
-- At month end sixty units submit at once. A submit wrote, in one transaction from the
-- application, the revision, its figures and task lines, its sending (历次报送), the office's
-- notice and the audit entry, then sent COMMIT: nine round trips, and the last of them made
-- while holding the audit chain's head, which every writer queues for. Now the server does
-- it all in one call, committed on its own, with the head taken last and no round trip
-- while it is held.
--
-- submission_new_revision takes, after 0012's arguments, what a submit adds: the sending's
-- three JSON texts and the notice's columns (its subject id is the new row's, filled in
-- here like the audit entry's entity id). A draft passes NULL for them and writes neither.
-- A notice whose event a webhook endpoint subscribes to needs its deliveries, whose payload
-- the application builds: then the call writes nothing and returns NULL, and the
-- application takes its own transaction.

DROP FUNCTION submission_new_revision(
    TEXT, TEXT, BIGINT, TEXT, TEXT, TEXT, TEXT, TEXT, TEXT,
    BIGINT, BIGINT, BIGINT, TEXT, BIGINT, BIGINT, BIGINT, JSON, JSON
);

CREATE FUNCTION submission_new_revision(
    head TEXT, tail TEXT, p_actor_id BIGINT, p_actor TEXT, p_action TEXT,
    p_entity TEXT, p_before TEXT, p_after TEXT, p_ip TEXT,
    p_period_id BIGINT, p_unit_id BIGINT, p_revision BIGINT, p_status TEXT,
    p_submitted_by BIGINT, p_submitted_at BIGINT, p_now BIGINT, p_values JSON, p_tasks JSON,
    sent_values TEXT, sent_tasks TEXT, sent_no_data TEXT,
    n_audience TEXT, n_audience_id BIGINT, n_kind TEXT, n_subject_type TEXT,
    n_message TEXT, n_body TEXT, n_dedupe_key TEXT, n_created_at BIGINT, n_event TEXT
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    new_id BIGINT;
BEGIN
    IF n_event IS NOT NULL AND EXISTS (
        SELECT 1 FROM webhook_endpoints e
        JOIN webhook_subscriptions s ON s.endpoint_id = e.id AND s.event = n_event
        WHERE e.enabled = 1
    ) THEN
        RETURN NULL;
    END IF;
    INSERT INTO submissions (period_id, unit_id, revision, status, submitted_by, submitted_at, created_at, updated_at)
    VALUES (p_period_id, p_unit_id, p_revision, p_status, p_submitted_by, p_submitted_at, p_now, p_now)
    RETURNING id INTO new_id;
    INSERT INTO indicator_values (submission_id, indicator_id, value, note)
    SELECT new_id, CAST(x->>0 AS BIGINT), x->>1, x->>2 FROM json_array_elements(p_values) AS t(x);
    INSERT INTO task_reports (submission_id, task_id, progress, status)
    SELECT new_id, CAST(x->>0 AS BIGINT), x->>1, x->>2 FROM json_array_elements(p_tasks) AS t(x);
    IF sent_values IS NOT NULL THEN
        INSERT INTO submission_sendings (submission_id, sent_by, sent_at, values_json, tasks_json, no_data_json)
        VALUES (new_id, p_submitted_by, p_now, sent_values, sent_tasks, sent_no_data);
    END IF;
    IF n_kind IS NOT NULL THEN
        INSERT INTO notices (audience, audience_id, kind, subject_type, subject_id, message, body, dedupe_key, created_at)
        VALUES (n_audience, n_audience_id, n_kind, n_subject_type, new_id, n_message, n_body, n_dedupe_key, n_created_at)
        ON CONFLICT (dedupe_key) DO NOTHING;
    END IF;
    PERFORM audit_append(head, tail, p_actor_id, p_actor, p_action, p_entity,
                         p_before, p_after, p_ip, CAST(new_id AS TEXT));
    RETURN new_id;
END;
$$;
