//! 内部备注: a note on a problem's timeline that only county staff read. The office and the
//! handling unit write them; [`Store::get_problem`] leaves them out for the enterprise, and so
//! does everything built on it (the page, the JSON API).

use super::*;

#[derive(Serialize)]
struct NoteAudit<'a> {
    note: &'a str,
}

impl Store {
    /// Adds an internal note to problem `id` as `actor` (the office or the handling unit).
    pub async fn add_internal_note(&self, actor: &Actor, id: i64, note: &str) -> Result<()> {
        let (enterprise_id, lead) = self.visible(actor, id).await?;
        if !matches!(
            party_of(actor, enterprise_id, lead),
            Some(Party::Office | Party::HandlingUnit)
        ) {
            return Err(StoreError::Forbidden(format!(
                "难题 {id}: 只有办公室和承办单位可以写内部备注"
            )));
        }
        let note = text(tf::STEP_NOTE, note)?;
        if note.is_empty() {
            return Err(StoreError::Invalid("内部备注: 不能为空".into()));
        }
        let mut tx = self.begin().await?;
        insert_event(&mut tx, actor, id, EventKind::InternalNote, "", "", &note).await?;
        commit_audited(
            tx,
            AuditEntry::new(actor, "problem.internal_note", "problem", id)
                .after(&NoteAudit { note: &note }),
        )
        .await
    }
}
