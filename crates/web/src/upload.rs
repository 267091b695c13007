//! The one reader of `multipart/form-data` uploads (attachments, evidence, templates, imports).
//!
//! Every upload route reads its form through [`read`] with its own [`Limits`], so none of them
//! buffers more than it allows: a file is left out as soon as its bytes pass the per-file
//! limit (the rest of the form is still read, so a form keeps what was typed beside it), a text
//! field is refused as soon as it passes the field limit, and the whole upload at the total
//! limit. File names come back already cleaned by [`AttachmentName`] (last path component,
//! no control characters), so a client's `../../` never reaches the store. What a file may
//! contain is decided later by the route's own rule (`qx_core::attachment` for attachments,
//! the importers for imports). CSRF for these forms comes in the `_csrf` query parameter
//! (see `auth.rs`), so nothing here looks for it.

use crate::WebError;
use crate::i18n::{self, Lang};
use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError};
use qx_core::attachment::AttachmentName;

/// What one upload route accepts.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How the file is named in messages ("附件", "佐证材料", "导入文件").
    pub label: &'static str,
    /// Files per upload.
    pub files: usize,
    /// Bytes per file.
    pub file_bytes: usize,
    /// Text fields per upload.
    pub fields: usize,
    /// Bytes per text field.
    pub field_bytes: usize,
}

impl Limits {
    /// Routes with one file and a handful of short text fields (task, action, kind, year).
    pub const fn one_file(label: &'static str, file_bytes: usize) -> Self {
        Self {
            label,
            files: 1,
            file_bytes,
            fields: 8,
            field_bytes: 1024,
        }
    }

    /// All files together plus all text fields: the most one upload may hold.
    pub const fn total_bytes(&self) -> usize {
        self.files
            .saturating_mul(self.file_bytes)
            .saturating_add(self.fields.saturating_mul(self.field_bytes))
    }
}

/// A file as uploaded, its name already parsed.
#[derive(Debug)]
pub struct UploadedFile {
    /// The form field it came in.
    pub field: String,
    pub name: AttachmentName,
    pub data: Vec<u8>,
}

/// An upload's text fields (in order) and files.
#[derive(Debug, Default)]
pub struct Upload {
    pub fields: Vec<(String, String)>,
    pub files: Vec<UploadedFile>,
    /// Files left out, each with why (over the per-file limit, a name that cannot be kept, one
    /// more than the route takes). Their bytes were read past and dropped; the text fields
    /// around them were still read, so a form can say so beside its file box with everything
    /// typed kept ([`read`]).
    pub refused: Vec<String>,
}

impl Upload {
    /// The last value of a text field.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text fields as a map (the last value of a repeated field wins).
    pub fn field_map(&self) -> std::collections::HashMap<String, String> {
        self.fields.iter().cloned().collect()
    }

    /// The file of a one-file form, or what to say instead in `lang` for the page's list of
    /// problems: why the file was left out ([`read`]), or that none was chosen.
    pub fn the_file(&mut self, lang: Lang) -> Result<UploadedFile, Vec<String>> {
        if !self.refused.is_empty() {
            return Err(i18n::localised(std::mem::take(&mut self.refused), lang));
        }
        if self.files.is_empty() {
            return Err(vec![i18n::t(lang, "form.choose_file").to_string()]);
        }
        Ok(self.files.remove(0))
    }

    /// The first file, if one was chosen.
    pub fn into_file(self) -> Option<UploadedFile> {
        self.files.into_iter().next()
    }
}

fn broken(e: MultipartError) -> WebError {
    WebError::BadRequest(format!("上传失败 (upload failed): {e}"))
}

fn mb(bytes: usize) -> String {
    if bytes >= 1048576 && bytes.is_multiple_of(1048576) {
        format!("{} MB", bytes / 1048576)
    } else if bytes >= 1024 {
        format!("{} KB", bytes / 1024)
    } else {
        format!("{bytes} 字节")
    }
}

/// Reads a field's bytes, counting them against the upload's `total`; `None` when they pass
/// `max` (the rest of the field is then still unread).
async fn read_capped(
    field: &mut Field<'_>,
    max: usize,
    total: &mut usize,
    limits: &Limits,
) -> Result<Option<Vec<u8>>, WebError> {
    let mut data = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(broken)? {
        if data.len() + chunk.len() > max {
            return Ok(None);
        }
        *total += chunk.len();
        if *total > limits.total_bytes() {
            return Err(WebError::BadRequest(format!(
                "上传内容超过 {} 上限 (upload too large)",
                mb(limits.total_bytes())
            )));
        }
        data.extend_from_slice(&chunk);
    }
    Ok(Some(data))
}

/// Reads the rest of a field without keeping it.
async fn skip(field: &mut Field<'_>) -> Result<(), WebError> {
    while field.chunk().await.map_err(broken)?.is_some() {}
    Ok(())
}

/// Reads a multipart form within `limits`. A file it cannot take (too large, one too many, a name
/// that cannot be kept) is read past and named in [`Upload::refused`], and the text fields around
/// it are kept, so the form can be shown again with the message beside its file box and
/// everything typed in place. A text field over its limit, too many fields, or an upload over
/// its total refuse the whole upload. A file part with neither a name nor bytes is a file input
/// left empty and is skipped.
///
/// A refused upload is still read to its end (and dropped) before the answer goes out: a server
/// that answers and closes while the browser is still sending makes the browser show a reset
/// connection instead of the message. The session layer's body limit bounds what that reads.
pub async fn read(mut form: Multipart, limits: &Limits) -> Result<Upload, WebError> {
    let result = read_fields(&mut form, limits).await;
    if result.is_err() {
        while let Ok(Some(mut field)) = form.next_field().await {
            while let Ok(Some(_)) = field.chunk().await {}
        }
    }
    result
}

async fn read_fields(form: &mut Multipart, limits: &Limits) -> Result<Upload, WebError> {
    let mut up = Upload::default();
    let mut total = 0usize;
    while let Some(mut field) = form.next_field().await.map_err(broken)? {
        let field_name = field.name().unwrap_or_default().to_string();
        if let Some(raw) = field.file_name().map(str::to_string) {
            read_file(&mut field, field_name, &raw, limits, &mut total, &mut up).await?;
        } else {
            if up.fields.len() >= limits.fields {
                return Err(WebError::BadRequest(format!(
                    "表单字段超过 {} 个 (too many fields)",
                    limits.fields
                )));
            }
            let Some(data) =
                read_capped(&mut field, limits.field_bytes, &mut total, limits).await?
            else {
                return Err(WebError::BadRequest(format!(
                    "字段 \"{field_name}\": 超过 {} 上限 (field too large)",
                    mb(limits.field_bytes)
                )));
            };
            let text = String::from_utf8(data).map_err(|_| {
                WebError::BadRequest(format!(
                    "字段 \"{field_name}\": 不是有效的 UTF-8 文本 (not UTF-8)"
                ))
            })?;
            up.fields.push((field_name, text));
        }
    }
    Ok(up)
}

/// One file part: kept in `up.files`, or read past with its refusal in `up.refused`.
async fn read_file(
    field: &mut Field<'_>,
    field_name: String,
    raw: &str,
    limits: &Limits,
    total: &mut usize,
    up: &mut Upload,
) -> Result<(), WebError> {
    // Parse the name first so every message below shows the cleaned one.
    let name = AttachmentName::parse(limits.label, raw);
    if name.is_ok() && up.files.len() >= limits.files {
        up.refused.push(format!(
            "{}: 每次最多上传 {} 个文件 (too many files)",
            limits.label, limits.files
        ));
        return skip(field).await;
    }
    let Some(data) = read_capped(field, limits.file_bytes, total, limits).await? else {
        let shown = name.as_ref().map(ToString::to_string).unwrap_or_default();
        up.refused.push(format!(
            "{} \"{shown}\": 大小超过 {} 上限 (file too large)",
            limits.label,
            mb(limits.file_bytes)
        ));
        return skip(field).await;
    };
    if raw.trim().is_empty() && data.is_empty() {
        return Ok(());
    }
    match name {
        Ok(name) => up.files.push(UploadedFile {
            field: field_name,
            name,
            data,
        }),
        Err(m) => up.refused.push(m),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::extract::FromRequest;
    use axum::http::Request;

    const BOUNDARY: &str = "XyZ";

    /// The upload, or its first refusal (a whole-upload refusal or a file's).
    async fn read_body(body: Vec<u8>, limits: &Limits) -> Result<Upload, WebError> {
        let up = read_body_keeping(body, limits).await?;
        match up.refused.first() {
            Some(m) => Err(WebError::BadRequest(m.clone())),
            None => Ok(up),
        }
    }

    async fn read_body_keeping(body: Vec<u8>, limits: &Limits) -> Result<Upload, WebError> {
        let req = Request::builder()
            .method("POST")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(Body::from(body))
            .unwrap();
        let form = Multipart::from_request(req, &()).await.unwrap();
        read(form, limits).await
    }

    fn text(name: &str, value: &[u8]) -> Vec<u8> {
        let mut b =
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                .into_bytes();
        b.extend(value);
        b.extend(b"\r\n");
        b
    }

    fn file(name: &str, file_name: &str, data: &[u8]) -> Vec<u8> {
        let mut b = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
        )
        .into_bytes();
        b.extend(data);
        b.extend(b"\r\n");
        b
    }

    fn body(parts: &[Vec<u8>]) -> Vec<u8> {
        let mut b: Vec<u8> = parts.concat();
        b.extend(format!("--{BOUNDARY}--\r\n").as_bytes());
        b
    }

    const LIMITS: Limits = Limits {
        label: "附件",
        files: 2,
        file_bytes: 1024,
        fields: 3,
        field_bytes: 16,
    };

    fn message(r: Result<Upload, WebError>) -> String {
        match r {
            Err(WebError::BadRequest(m)) => m,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn multipart_bodies_are_split_into_fields_and_files() {
        let b = body(&[
            text("title", "用地".as_bytes()),
            file("files", "C:\\\\a\\\\b.pdf", b"%PDF\r\n-1"),
            file("files", "", b""),
        ]);
        let up = read_body(b, &LIMITS).await.unwrap();
        assert_eq!(up.field("title"), Some("用地"));
        assert_eq!(up.files.len(), 1, "an empty file input is skipped");
        assert_eq!(up.files[0].name.as_str(), "b.pdf");
        assert_eq!(up.files[0].field, "files");
        assert_eq!(up.files[0].data, b"%PDF\r\n-1");
        let broken = format!("--{BOUNDARY}\r\nbroken").into_bytes();
        assert!(read_body(broken, &LIMITS).await.is_err());
    }

    #[tokio::test]
    async fn file_names_lose_their_directories() {
        let b = body(&[file("file", "../../etc/passwd.pdf", b"%PDF-1.4")]);
        let up = read_body(b, &LIMITS).await.unwrap();
        assert_eq!(up.into_file().unwrap().name.as_str(), "passwd.pdf");
        let b = body(&[file("file", "../", b"%PDF-1.4")]);
        assert!(message(read_body(b, &LIMITS).await).contains("附件: 文件名不能为空"));
    }

    #[tokio::test]
    async fn too_many_files_are_refused() {
        let b = body(&[
            file("files", "a.pdf", b"%PDF-"),
            file("files", "b.pdf", b"%PDF-"),
            file("files", "c.pdf", b"%PDF-"),
        ]);
        let m = message(read_body(b, &LIMITS).await);
        assert!(m.contains("附件: 每次最多上传 2 个文件"), "{m}");
    }

    #[tokio::test]
    async fn too_large_files_and_fields_are_refused_naming_them() {
        let b = body(&[file("files", "big.pdf", &[b'%'; 1025])]);
        let m = message(read_body(b, &LIMITS).await);
        assert!(m.contains("附件 \"big.pdf\": 大小超过 1 KB 上限"), "{m}");
        let b = body(&[text("title", &[b'a'; 17])]);
        let m = message(read_body(b, &LIMITS).await);
        assert!(m.contains("字段 \"title\": 超过 16 字节 上限"), "{m}");
        let b = body(&[text("title", &[b'a'; 16])]);
        assert_eq!(read_body(b, &LIMITS).await.unwrap().fields.len(), 1);
    }

    /// A form with typed text and a file too large, or one file too many: the text is read to
    /// its end and kept, the file left out with why, for the form to be shown again.
    #[tokio::test]
    async fn a_refused_file_leaves_the_text_typed_around_it() {
        let b = body(&[
            text("title", "用地".as_bytes()),
            file("files", "big.pdf", &[b'%'; 5000]),
            text("note", "急".as_bytes()),
            file("files", "a.pdf", b"%PDF-"),
            file("files", "b.pdf", b"%PDF-"),
        ]);
        let up = read_body_keeping(b, &LIMITS).await.unwrap();
        assert_eq!(up.field("title"), Some("用地"));
        assert_eq!(up.field("note"), Some("急"));
        assert_eq!(up.files.len(), 2, "the files within the limits are kept");
        assert_eq!(up.refused.len(), 1);
        assert!(up.refused[0].contains("附件 \"big.pdf\": 大小超过 1 KB 上限"));
        let b = body(&[
            file("files", "a.pdf", b"%PDF-"),
            file("files", "b.pdf", b"%PDF-"),
            file("files", "c.pdf", b"%PDF-"),
            text("title", b"x"),
        ]);
        let up = read_body_keeping(b, &LIMITS).await.unwrap();
        assert_eq!((up.files.len(), up.field("title")), (2, Some("x")));
        assert!(up.refused[0].contains("附件: 每次最多上传 2 个文件"));
    }

    #[tokio::test]
    async fn too_many_fields_and_bad_text_are_refused() {
        let parts: Vec<_> = (0..4).map(|i| text(&format!("f{i}"), b"x")).collect();
        let m = message(read_body(body(&parts), &LIMITS).await);
        assert!(m.contains("表单字段超过 3 个"), "{m}");
        let b = body(&[text("title", b"\xff\xfe")]);
        let m = message(read_body(b, &LIMITS).await);
        assert!(m.contains("字段 \"title\": 不是有效的 UTF-8"), "{m}");
    }

    /// Every file box of every page names its route's limit (`data-max-bytes`, from the same
    /// constant as the route's `Limits`), so the browser can say a file is too large when it
    /// is chosen.
    #[test]
    fn every_file_box_carries_its_limit() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut stack = vec![root];
        let mut boxes = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices("type=\"file\"") {
                    let end = at + text[at..].find('>').unwrap();
                    boxes += 1;
                    assert!(
                        text[at..end].contains("data-max-bytes=\"{{ "),
                        "{}: a file box without its limit",
                        path.display()
                    );
                }
            }
        }
        assert!(boxes >= 10, "{boxes} file boxes found");
    }

    #[test]
    fn the_total_covers_every_file_and_field() {
        assert_eq!(LIMITS.total_bytes(), 2 * 1024 + 3 * 16);
        let one = Limits::one_file("佐证材料", 20 * 1048576);
        assert_eq!((one.files, one.total_bytes()), (1, 20 * 1048576 + 8 * 1024));
    }
}
