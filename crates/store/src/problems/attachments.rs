//! Problem attachments, checked by the one rule of `qx_core::attachment`.

use super::*;

/// A file as uploaded: the name the client gave and its bytes. Its type is decided by
/// `qx_core::attachment::check_attachment`, never taken from the client.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub filename: String,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AttachmentMeta {
    pub id: i64,
    pub problem_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: i64,
}

impl Store {
    /// Adds files to a problem the actor takes part in: all of them or none. Every file is
    /// checked before any is written, so one refused file of three leaves the problem as it was.
    pub async fn add_problem_attachments(
        &self,
        actor: &Actor,
        problem_id: i64,
        files: &[NewAttachment],
    ) -> Result<Vec<i64>> {
        let (enterprise_id, lead) = self.visible(actor, problem_id).await?;
        if party_of(actor, enterprise_id, lead).is_none() {
            return Err(StoreError::Forbidden(format!("难题 {problem_id}: 只读")));
        }
        if files.is_empty() {
            return Err(StoreError::Invalid("附件: 请选择要上传的文件".into()));
        }
        let checked = files
            .iter()
            .map(check_attachment)
            .collect::<Result<Vec<_>>>()?;
        let mut tx = self.begin().await?;
        let mut ids = Vec::with_capacity(files.len());
        let mut added = Vec::with_capacity(files.len());
        for (c, a) in checked.iter().zip(files) {
            let name = c.name.as_str();
            let id = insert_attachment(&mut tx, actor, problem_id, c, &a.data).await?;
            insert_event(&mut tx, actor, problem_id, EventKind::Attach, "", "", name).await?;
            added.push(
                serde_json::json!({"attachment": id, "filename": name, "size": a.data.len()}),
            );
            ids.push(id);
        }
        commit_audited(
            tx,
            AuditEntry::new(actor, "problem.attach", "problem", problem_id)
                .after(serde_json::json!({ "attachments": added })),
        )
        .await?;
        Ok(ids)
    }

    /// An attachment's metadata and bytes, if the actor may see its problem.
    pub async fn get_problem_attachment(
        &self,
        actor: &Actor,
        problem_id: i64,
        id: i64,
    ) -> Result<(AttachmentMeta, Vec<u8>)> {
        self.visible(actor, problem_id).await?;
        let meta: AttachmentMeta = sqlx::query_as(concat!(
            attachment_select!(),
            "WHERE id = $1 AND problem_id = $2"
        ))
        .bind(id)
        .bind(problem_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("附件 {id}")))?;
        let (data,): (Vec<u8>,) =
            sqlx::query_as("SELECT data FROM problem_attachments WHERE id = $1")
                .bind(id)
                .fetch_one(self.pool())
                .await?;
        Ok((meta, data))
    }
}

/// The one attachment rule of `qx_core::attachment`: the client's content type is ignored,
/// the stored one comes from the checked kind.
pub(super) fn check_attachment(a: &NewAttachment) -> Result<Checked> {
    qx_core::attachment::check_attachment("附件", &a.filename, &a.data, MAX_ATTACHMENT_BYTES)
        .map_err(StoreError::Invalid)
}

pub(super) async fn insert_attachment(
    tx: &mut Tx,
    actor: &Actor,
    problem_id: i64,
    checked: &Checked,
    data: &[u8],
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO problem_attachments (problem_id, filename, content_type, size, data, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(problem_id)
    .bind(checked.name.as_str())
    .bind(checked.content_type())
    .bind(i64::try_from(data.len()).unwrap_or(i64::MAX))
    .bind(data.to_vec())
    .bind((actor.user_id != 0).then_some(actor.user_id))
    .bind(crate::now())
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}
