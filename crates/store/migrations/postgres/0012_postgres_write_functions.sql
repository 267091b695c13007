-- Audited writes reach the audit chain's head without a round trip while holding it.
--
-- Every audited write takes the head row (audit_head) and keeps it until commit, so at month
-- end sixty units queue for it. Each step done under it is paid sixty times over: a round
-- trip to the application (which has to be scheduled on a busy machine), or the foreign-key
-- checks of a report's fifty rows. These functions run the chain step in the server:
-- audit_append takes the head, hashes the entry and writes it in one call, and
-- submission_new_revision writes a new report revision with its figures and task lines
-- (each insert's foreign keys checked as it finishes) before it takes the head last.
--
-- The hash is the one `AuditRecord::compute_hash` computes in the application: SHA-256 of
-- the JSON array [seq, at, actor_id, actor, action, entity, entity_id, before_json,
-- after_json, ip, prev_hash]. The application sends the members it knows as two runs of
-- JSON text (`head`: actor_id … entity, `tail`: before_json … ip); seq, at, entity_id and
-- prev_hash are spliced in here, `at` read once the head is held so that times follow the
-- sequence. `qx-store`'s audit tests check both engines' chains verify.

CREATE FUNCTION audit_append(
    head TEXT, tail TEXT, p_actor_id BIGINT, p_actor TEXT, p_action TEXT,
    p_entity TEXT, p_before TEXT, p_after TEXT, p_ip TEXT, p_entity_id TEXT
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    next_seq BIGINT;
    prev TEXT;
    entry_at BIGINT;
    entry_hash TEXT;
BEGIN
    UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash INTO next_seq, prev;
    entry_at := CAST(floor(EXTRACT(EPOCH FROM clock_timestamp())) AS BIGINT);
    entry_hash := encode(sha256(convert_to(concat(
        '[', next_seq, ',', entry_at, ',', head, ',', to_json(p_entity_id), ',', tail, ',', to_json(prev), ']'
    ), 'UTF8')), 'hex');
    INSERT INTO audit_log (seq, at, actor_id, actor, action, entity, entity_id, before_json, after_json, ip, prev_hash, hash)
    VALUES (next_seq, entry_at, p_actor_id, p_actor, p_action, p_entity, p_entity_id, p_before, p_after, p_ip, prev, entry_hash);
    UPDATE audit_head SET hash = entry_hash WHERE id = 1;
    RETURN next_seq;
END;
$$;

-- A new revision of a unit's report: the row, its figures and its task lines (JSON arrays of
-- [id, text, text], as the application's SubmissionBatch writes them), then its audit entry.
CREATE FUNCTION submission_new_revision(
    head TEXT, tail TEXT, p_actor_id BIGINT, p_actor TEXT, p_action TEXT,
    p_entity TEXT, p_before TEXT, p_after TEXT, p_ip TEXT,
    p_period_id BIGINT, p_unit_id BIGINT, p_revision BIGINT, p_status TEXT,
    p_submitted_by BIGINT, p_submitted_at BIGINT, p_now BIGINT, p_values JSON, p_tasks JSON
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    new_id BIGINT;
BEGIN
    INSERT INTO submissions (period_id, unit_id, revision, status, submitted_by, submitted_at, created_at, updated_at)
    VALUES (p_period_id, p_unit_id, p_revision, p_status, p_submitted_by, p_submitted_at, p_now, p_now)
    RETURNING id INTO new_id;
    INSERT INTO indicator_values (submission_id, indicator_id, value, note)
    SELECT new_id, CAST(x->>0 AS BIGINT), x->>1, x->>2 FROM json_array_elements(p_values) AS t(x);
    INSERT INTO task_reports (submission_id, task_id, progress, status)
    SELECT new_id, CAST(x->>0 AS BIGINT), x->>1, x->>2 FROM json_array_elements(p_tasks) AS t(x);
    PERFORM audit_append(head, tail, p_actor_id, p_actor, p_action, p_entity,
                         p_before, p_after, p_ip, CAST(new_id AS TEXT));
    RETURN new_id;
END;
$$;
