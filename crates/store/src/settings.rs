//! Small key/value settings (the demo marker, thresholds set by the office), and the 公文版头
//! every issued document carries.

use crate::audit::AuditEntry;
use crate::{Result, Store, StoreError, commit_audited, office_only};
use qx_core::access::Actor;
use qx_core::document::DocumentHeader;

/// Where each part of the 公文版头 is kept. The keys predate the 例会 and 考核 documents, which
/// read them too.
const DOCUMENT_KEYS: [&str; 4] = [
    "bulletin.issuer",
    "bulletin.doc_prefix",
    "bulletin.recipients",
    "bulletin.copy_to",
];

/// The record id the audit names the 公文版头 by.
pub const DOCUMENT_HEADER: &str = "documents";

impl Store {
    pub async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(|(v,)| v))
    }

    /// Sets a setting inside a caller's transaction.
    pub async fn put_setting(tx: &mut crate::Tx, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// The 公文版头 in force: the office's, part by part, else the default.
    pub async fn document_header(&self) -> Result<DocumentHeader> {
        let mut h = DocumentHeader::default();
        let parts = [
            &mut h.issuer,
            &mut h.doc_prefix,
            &mut h.recipients,
            &mut h.copy_to,
        ];
        for (part, key) in parts.into_iter().zip(DOCUMENT_KEYS) {
            if let Some(v) = self.get_setting(key).await? {
                *part = v;
            }
        }
        Ok(h)
    }

    /// The office sets the 公文版头 of the documents issued from now on (those issued keep
    /// theirs). Each part is checked by its field's rule; audited.
    pub async fn set_document_header(&self, actor: &Actor, h: &DocumentHeader) -> Result<()> {
        office_only(actor, "设置公文版头")?;
        let h = h.checked().map_err(StoreError::Invalid)?;
        let before = self.document_header().await?;
        let mut tx = self.begin().await?;
        let parts = [&h.issuer, &h.doc_prefix, &h.recipients, &h.copy_to];
        for (key, value) in DOCUMENT_KEYS.into_iter().zip(parts) {
            Store::put_setting(&mut tx, key, value).await?;
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "settings.update", "settings", DOCUMENT_HEADER)
                .before(before)
                .after(&h),
        )
        .await
    }
}
