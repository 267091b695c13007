//! Files the browser saves: one `Content-Disposition` with the name in any script, one set of
//! headers, so every export and attachment downloads the same way.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What RFC 8187 lets through unencoded in `filename*` (attr-char, minus a few that confuse
/// older browsers).
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A download: always `attachment` (never shown inline), never sniffed, with the file name in
/// UTF-8 for browsers that read `filename*` and an ASCII stand-in for those that do not.
pub fn attachment(data: impl Into<axum::body::Body>, file_name: &str, mime: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, content_disposition(file_name)),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        data.into(),
    )
        .into_response()
}

/// `attachment; filename="2017_.xlsx"; filename*=UTF-8''2017%E5%B9%B4….xlsx`.
pub fn content_disposition(file_name: &str) -> String {
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(file_name),
        utf8_percent_encode(file_name, ATTR_CHAR)
    )
}

/// The name with every character outside `[A-Za-z0-9._-]` folded into `_` (runs of them into
/// one), keeping the extension; `download` when nothing readable is left of the stem.
fn ascii_fallback(file_name: &str) -> String {
    let mut out = String::new();
    for c in file_name.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let (stem, ext) = match out.rfind('.') {
        Some(i) => out.split_at(i),
        None => (out.as_str(), ""),
    };
    let stem = stem.trim_matches(|c| c == '_' || c == '.');
    let stem = if stem.is_empty() { "download" } else { stem };
    format!("{stem}{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_are_encoded_with_an_ascii_stand_in() {
        assert_eq!(
            content_disposition("2017年任务分解表.xlsx"),
            "attachment; filename=\"2017.xlsx\"; filename*=UTF-8''2017%E5%B9%B4%E4%BB%BB%E5%8A%A1%E5%88%86%E8%A7%A3%E8%A1%A8.xlsx"
        );
        assert_eq!(
            content_disposition("快报.docx"),
            "attachment; filename=\"download.docx\"; filename*=UTF-8''%E5%BF%AB%E6%8A%A5.docx"
        );
    }

    #[test]
    fn quotes_and_separators_cannot_break_the_header() {
        let d = content_disposition("a\"b;c\r\nd/../e.pdf");
        assert!(d.starts_with("attachment; filename=\"a_b_c_d_.._e.pdf\"; filename*=UTF-8''"));
        assert!(!d.contains('\r') && !d.contains('\n'));
        assert_eq!(d.matches('"').count(), 2);
        assert!(axum::http::HeaderValue::from_str(&d).is_ok());
    }

    #[test]
    fn a_download_is_an_attachment_that_is_never_sniffed() {
        let resp = attachment(vec![1u8, 2, 3], "表.xlsx", "application/octet-stream");
        let h = resp.headers();
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::CONTENT_TYPE], "application/octet-stream");
        assert!(
            h[header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
    }
}
