//! Checkpoints anchor the audit chain outside the database: an attacker who can write the
//! database, drops the append-only triggers and recomputes the chain passes the chain check,
//! and is caught by the checkpoints for everything up to the newest one.

use qx_core::access::Actor;
use qx_store::audit::{AuditEntry, AuditQuery, AuditRecord};
use qx_store::audit_anchor::{
    AnchorFinding, AuditKey, Checkpoint, append_checkpoint, read_checkpoints,
};
use qx_store::testing::{self, TestDb};
use qx_store::{Engine, Store};
use std::path::PathBuf;

/// A chain of ten entries with checkpoints (in a file) at entries 5 and 8.
struct Anchored {
    db: TestDb,
    key: AuditKey,
    file: PathBuf,
    _dir: tempfile::TempDir,
}

async fn anchored() -> Vec<Anchored> {
    let mut out = Vec::new();
    for db in testing::all().await.expect("test databases") {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("checkpoints");
        let key = AuditKey::generate();
        let actor = Actor::system();
        for i in 1..=10 {
            db.store
                .audit(
                    AuditEntry::new(&actor, "test.event", "thing", i)
                        .after(serde_json::json!({ "n": i })),
                )
                .await
                .unwrap();
            if i == 5 || i == 8 {
                let cp = db.store.audit_checkpoint(&key).await.unwrap();
                assert_eq!(cp.seq, i, "{}", db.name);
                append_checkpoint(&file, &cp).unwrap();
            }
        }
        out.push(Anchored {
            db,
            key,
            file,
            _dir: dir,
        });
    }
    out
}

impl Anchored {
    async fn check(&self) -> qx_store::audit_anchor::AnchorVerification {
        let lines = read_checkpoints(&self.file).unwrap();
        self.db
            .store
            .verify_audit_anchors(&self.key, &lines)
            .await
            .unwrap()
    }

    fn store(&self) -> &Store {
        &self.db.store
    }
}

/// What an attacker with write access to the database does first.
async fn drop_append_only_triggers(s: &Store) {
    let sql = match s.engine() {
        Engine::Sqlite => "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;",
        Engine::Postgres => "ALTER TABLE audit_log DISABLE TRIGGER USER",
    };
    sqlx::raw_sql(sql).execute(s.pool()).await.unwrap();
}

async fn entries_oldest_first(s: &Store) -> Vec<AuditRecord> {
    let mut all = s
        .audit_list(
            &qx_core::access::Actor::system(),
            &AuditQuery {
                limit: 500,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    all.reverse();
    all
}

/// Changes entry `seq`'s actor, then recomputes its hash, every later entry's link and hash,
/// and the head, in SQL: afterwards the chain is consistent again.
async fn rewrite_history(s: &Store, seq: i64) {
    drop_append_only_triggers(s).await;
    let mut prev = None::<String>;
    for mut rec in entries_oldest_first(s).await {
        if rec.seq < seq {
            prev = Some(rec.hash);
            continue;
        }
        if rec.seq == seq {
            rec.actor = "someone-else".into();
        }
        if let Some(p) = &prev {
            rec.prev_hash = p.clone();
        }
        rec.hash = rec.compute_hash();
        sqlx::query("UPDATE audit_log SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(&rec.actor)
            .bind(&rec.prev_hash)
            .bind(&rec.hash)
            .bind(rec.seq)
            .execute(s.pool())
            .await
            .unwrap();
        prev = Some(rec.hash);
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(prev.unwrap())
        .execute(s.pool())
        .await
        .unwrap();
}

/// Removes the entries after `keep` and sets the head back to entry `keep`.
async fn cut_after(s: &Store, keep: i64) {
    drop_append_only_triggers(s).await;
    let kept = entries_oldest_first(s)
        .await
        .into_iter()
        .find(|r| r.seq == keep)
        .unwrap();
    sqlx::query("DELETE FROM audit_log WHERE seq > $1")
        .bind(keep)
        .execute(s.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(keep)
        .bind(&kept.hash)
        .execute(s.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn an_untouched_chain_matches_its_checkpoints() {
    for a in anchored().await {
        assert!(
            a.store().verify_audit().await.unwrap().ok(),
            "{}",
            a.db.name
        );
        let v = a.check().await;
        assert!(v.ok(), "{}: {v:?}", a.db.name);
        assert_eq!(v.checkpoints, 2);
        assert_eq!(v.entries, 10);
        assert_eq!(v.anchored_to, Some(8), "{}", a.db.name);
    }
}

#[tokio::test]
async fn a_recomputed_history_passes_the_chain_but_not_the_checkpoints() {
    for a in anchored().await {
        rewrite_history(a.store(), 3).await;
        // The weakness the checkpoints exist for: the chain alone cannot tell.
        let chain = a.store().verify_audit().await.unwrap();
        assert!(chain.ok(), "{}: {chain:?}", a.db.name);
        let v = a.check().await;
        assert_eq!(
            v.findings,
            [
                AnchorFinding::Rewritten { line: 1, seq: 5 },
                AnchorFinding::Rewritten { line: 2, seq: 8 },
            ],
            "{}",
            a.db.name
        );
        assert_eq!(v.anchored_to, None);
        assert!(v.findings[0].to_string().contains("第 5 条"));
    }
}

#[tokio::test]
async fn cut_entries_and_a_reset_head_are_caught() {
    for a in anchored().await {
        cut_after(a.store(), 6).await;
        let chain = a.store().verify_audit().await.unwrap();
        assert!(
            chain.ok(),
            "{}: the chain alone passes: {chain:?}",
            a.db.name
        );
        let v = a.check().await;
        assert_eq!(
            v.findings,
            [AnchorFinding::Cut {
                line: 2,
                seq: 8,
                entries: 6
            }],
            "{}",
            a.db.name
        );
        assert_eq!(v.anchored_to, Some(5), "the older checkpoint still holds");
        assert!(v.findings[0].to_string().contains("被删除"));
    }
}

#[tokio::test]
async fn forged_checkpoint_lines_are_refused() {
    for a in anchored().await {
        rewrite_history(a.store(), 3).await;
        let (seq, hash) = a.store().change_stamp().await.unwrap();
        // Without the key the attacker can sign the new head only with a key of their own …
        let own = Checkpoint::sign(&AuditKey::generate(), seq, &hash, qx_store::now()).unwrap();
        append_checkpoint(&a.file, &own).unwrap();
        // … or edit an old line to hold the rewritten entry's hash.
        let rewritten_8 = entries_oldest_first(a.store()).await[7].hash.clone();
        let text = std::fs::read_to_string(&a.file).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let fields: Vec<&str> = lines[1].split(' ').collect();
        lines[1] = format!("{} {} {} {}", fields[0], rewritten_8, fields[2], fields[3]);
        std::fs::write(&a.file, lines.join("\n") + "\n").unwrap();

        let v = a.check().await;
        assert_eq!(
            v.findings,
            [
                AnchorFinding::Rewritten { line: 1, seq: 5 },
                AnchorFinding::BadMac { line: 2 },
                AnchorFinding::BadMac { line: 3 },
            ],
            "{}",
            a.db.name
        );
        assert!(v.findings[1].to_string().contains("检查点第2行签名无效"));
    }
}

/// What the checkpoints cannot do: entries written after the newest one have the chain alone.
#[tokio::test]
async fn entries_after_the_newest_checkpoint_are_only_chain_protected() {
    for a in anchored().await {
        rewrite_history(a.store(), 9).await;
        assert!(a.store().verify_audit().await.unwrap().ok());
        let v = a.check().await;
        assert!(v.ok(), "{}: {v:?}", a.db.name);
        assert_eq!(v.anchored_to, Some(8));
    }
}
