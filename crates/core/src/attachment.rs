//! Uploaded files: the one rule for their names and the one allowlist of their types.
//!
//! Report evidence (佐证材料) and problem attachments (难题附件) both go through
//! [`check_attachment`], so a file refused on one path cannot come in on another. A type is
//! accepted only when its extension is on the list AND its first bytes say the same thing;
//! the content type served on download comes from the list, never from the client.

use std::fmt;

/// The longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A file name safe to store and to send back in `Content-Disposition`: the last path
/// component only (of `/` or `\`), no control characters, no leading dots, not empty, at
/// most [`MAX_NAME_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentName(String);

impl AttachmentName {
    /// Parses a client's file name; `field` names the form field in the message.
    pub fn parse(field: &str, raw: &str) -> Result<Self, String> {
        let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
        let cleaned: String = last.chars().filter(|c| !c.is_control()).collect();
        let name = cleaned.trim().trim_start_matches('.').trim();
        if name.is_empty() {
            return Err(format!("{field}: 文件名不能为空 (file name required)"));
        }
        let count = name.chars().count();
        if count > MAX_NAME_CHARS {
            return Err(format!(
                "{field}: 文件名不超过{MAX_NAME_CHARS}字, 实际为{count}字 (file name too long)"
            ));
        }
        Ok(Self(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The extension, lower-cased, without the dot ("" when there is none).
    pub fn extension(&self) -> String {
        self.0
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default()
    }
}

impl fmt::Display for AttachmentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The file types accepted as attachments anywhere. Deliberately short: nothing a browser
/// would render as a page or run (html, svg, js), no executables, and no type whose content
/// cannot be recognised by its first bytes (txt, csv) or that carries macros without being
/// told apart from an installer (legacy OLE .doc/.xls share one signature with .msi).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentKind {
    Pdf,
    Jpeg,
    Png,
    Docx,
    Xlsx,
}

/// What the refusal message lists.
pub const ACCEPTED_LIST: &str = "pdf、jpg、png、docx、xlsx";

impl AttachmentKind {
    pub const ALL: [AttachmentKind; 5] = [
        AttachmentKind::Pdf,
        AttachmentKind::Jpeg,
        AttachmentKind::Png,
        AttachmentKind::Docx,
        AttachmentKind::Xlsx,
    ];

    /// The kind an extension (lower case, no dot) names, if it is accepted.
    pub fn from_extension(ext: &str) -> Option<Self> {
        Some(match ext {
            "pdf" => AttachmentKind::Pdf,
            "jpg" | "jpeg" => AttachmentKind::Jpeg,
            "png" => AttachmentKind::Png,
            "docx" => AttachmentKind::Docx,
            "xlsx" => AttachmentKind::Xlsx,
            _ => return None,
        })
    }

    /// The content type the file is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            AttachmentKind::Pdf => "application/pdf",
            AttachmentKind::Jpeg => "image/jpeg",
            AttachmentKind::Png => "image/png",
            AttachmentKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            AttachmentKind::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        }
    }

    /// Whether the bytes are this kind of file, judged by their signature (and for the
    /// Office formats by the parts the archive lists).
    pub fn matches(self, data: &[u8]) -> bool {
        match self {
            AttachmentKind::Pdf => data.starts_with(b"%PDF-"),
            AttachmentKind::Jpeg => data.starts_with(&[0xFF, 0xD8, 0xFF]),
            AttachmentKind::Png => data.starts_with(b"\x89PNG\r\n\x1a\n"),
            AttachmentKind::Docx => ooxml_parts(data).is_some_and(|p| p.has("word/")),
            AttachmentKind::Xlsx => ooxml_parts(data).is_some_and(|p| p.has("xl/")),
        }
    }
}

/// What the central directory of an Office Open XML package lists.
struct OoxmlParts {
    prefixes: Vec<&'static str>,
}

impl OoxmlParts {
    fn has(&self, prefix: &str) -> bool {
        self.prefixes.contains(&prefix)
    }
}

/// How many central-directory entries are looked at: real documents name their main part
/// among the first few dozen; a bound keeps a hostile archive from costing more.
const MAX_ZIP_ENTRIES_READ: usize = 1024;

fn le16(d: &[u8], at: usize) -> Option<usize> {
    d.get(at..at + 2)
        .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
}

fn le32(d: &[u8], at: usize) -> Option<usize> {
    d.get(at..at + 4)
        .and_then(|b| usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok())
}

/// Reads the zip's central directory (which every zip writer fills in, unlike the sizes of
/// local headers) and reports which Office parts it names; `None` unless the file is a zip
/// with `[Content_Types].xml`. Nothing is decompressed and nothing is allocated per entry
/// beyond the bound.
fn ooxml_parts(d: &[u8]) -> Option<OoxmlParts> {
    if !d.starts_with(b"PK\x03\x04") {
        return None;
    }
    // The end-of-central-directory record sits in the last 22 + 65,535 (comment) bytes.
    let tail_start = d.len().saturating_sub(22 + 0xFFFF);
    let eocd = (tail_start..=d.len().checked_sub(22)?)
        .rev()
        .find(|&i| d[i..].starts_with(b"PK\x05\x06"))?;
    let entries = le16(d, eocd + 10)?;
    let mut at = le32(d, eocd + 16)?;
    let mut content_types = false;
    let mut prefixes = Vec::new();
    for _ in 0..entries.min(MAX_ZIP_ENTRIES_READ) {
        if !d.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let name_len = le16(d, at + 28)?;
        let extra_len = le16(d, at + 30)?;
        let comment_len = le16(d, at + 32)?;
        let name = d.get(at + 46..at + 46 + name_len)?;
        if name == b"[Content_Types].xml" {
            content_types = true;
        }
        for prefix in ["word/", "xl/"] {
            if name.starts_with(prefix.as_bytes()) && !prefixes.contains(&prefix) {
                prefixes.push(prefix);
            }
        }
        at += 46 + name_len + extra_len + comment_len;
    }
    content_types.then_some(OoxmlParts { prefixes })
}

/// A file that passed [`check_attachment`]: its cleaned name and the type it is served with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub name: AttachmentName,
    pub kind: AttachmentKind,
}

impl Checked {
    pub fn content_type(&self) -> &'static str {
        self.kind.content_type()
    }
}

/// The one check for an uploaded attachment: name, type by extension, size, then content.
/// `field_label` names the field in the message ("佐证材料", "附件").
pub fn check_attachment(
    field_label: &str,
    raw_name: &str,
    data: &[u8],
    max_bytes: usize,
) -> Result<Checked, String> {
    let name = AttachmentName::parse(field_label, raw_name)?;
    let ext = name.extension();
    let Some(kind) = AttachmentKind::from_extension(&ext) else {
        return Err(format!(
            "{field_label} \"{name}\": 只接受 {ACCEPTED_LIST} 文件 (file type not accepted)"
        ));
    };
    if data.is_empty() {
        return Err(format!("{field_label} \"{name}\": 文件是空的 (empty file)"));
    }
    if data.len() > max_bytes {
        return Err(format!(
            "{field_label} \"{name}\": 大小 {:.1} MB 超过 {} MB 上限 (file too large)",
            data.len() as f64 / 1048576.0,
            max_bytes / 1048576
        ));
    }
    if !kind.matches(data) {
        return Err(format!(
            "{field_label} \"{name}\": 文件内容不是有效的 {ext} 文件 (content does not match the extension)"
        ));
    }
    Ok(Checked { name, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal stored (uncompressed) zip holding the named empty parts.
    pub(crate) fn zip_with(names: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for n in names {
            let offset = u32::try_from(out.len()).unwrap();
            let len = u16::try_from(n.len()).unwrap();
            out.extend(b"PK\x03\x04");
            out.extend([20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend([0; 12]); // crc, sizes
            out.extend(len.to_le_bytes());
            out.extend([0, 0]);
            out.extend(n.as_bytes());
            central.extend(b"PK\x01\x02");
            central.extend([20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend([0; 12]);
            central.extend(len.to_le_bytes());
            central.extend([0; 12]); // extra, comment, disk, attributes
            central.extend(offset.to_le_bytes());
            central.extend(n.as_bytes());
        }
        let cd_offset = u32::try_from(out.len()).unwrap();
        let cd_len = u32::try_from(central.len()).unwrap();
        out.extend(&central);
        let count = u16::try_from(names.len()).unwrap();
        out.extend(b"PK\x05\x06");
        out.extend([0, 0, 0, 0]);
        out.extend(count.to_le_bytes());
        out.extend(count.to_le_bytes());
        out.extend(cd_len.to_le_bytes());
        out.extend(cd_offset.to_le_bytes());
        out.extend([0, 0]);
        out
    }

    #[test]
    fn names_keep_the_last_component_of_either_separator() {
        let p = |s: &str| AttachmentName::parse("附件", s).map(|n| n.to_string());
        assert_eq!(p("../../etc/passwd.pdf").unwrap(), "passwd.pdf");
        assert_eq!(p("C:\\Users\\王\\现场照片.jpg").unwrap(), "现场照片.jpg");
        assert_eq!(p("..\\..\\a/b\\c.png").unwrap(), "c.png");
        assert_eq!(p("  规划图.pdf ").unwrap(), "规划图.pdf");
    }

    #[test]
    fn names_lose_control_characters_and_leading_dots() {
        let p = |s: &str| AttachmentName::parse("附件", s).map(|n| n.to_string());
        assert_eq!(p("a\r\nb\u{0}.pdf").unwrap(), "ab.pdf");
        assert_eq!(p(".htaccess.pdf").unwrap(), "htaccess.pdf");
        assert_eq!(p("...x.pdf").unwrap(), "x.pdf");
        assert_eq!(p("a.b.pdf").unwrap(), "a.b.pdf");
    }

    #[test]
    fn empty_and_overlong_names_are_refused_naming_the_field() {
        for raw in ["", "   ", "../", "dir/", "..", "\u{7}\u{8}"] {
            let err = AttachmentName::parse("佐证材料", raw).unwrap_err();
            assert!(
                err.starts_with("佐证材料: 文件名不能为空"),
                "{raw:?}: {err}"
            );
        }
        let long = format!("{}.pdf", "长".repeat(196));
        assert_eq!(
            AttachmentName::parse("附件", &long)
                .unwrap()
                .as_str()
                .chars()
                .count(),
            200
        );
        let err = AttachmentName::parse("附件", &format!("长{long}")).unwrap_err();
        assert!(err.contains("不超过200字, 实际为201字"), "{err}");
    }

    #[test]
    fn the_allowlist_is_short_and_never_serves_markup_or_programs() {
        for ext in [
            "html", "htm", "svg", "exe", "js", "doc", "xls", "txt", "msi", "",
        ] {
            assert_eq!(AttachmentKind::from_extension(ext), None, "{ext}");
        }
        for k in AttachmentKind::ALL {
            let t = k.content_type();
            assert!(!t.contains("html") && !t.contains("svg") && !t.contains("script"));
        }
        assert_eq!(
            AttachmentKind::from_extension("jpeg"),
            Some(AttachmentKind::Jpeg)
        );
    }

    #[test]
    fn content_is_sniffed_by_signature() {
        use AttachmentKind::*;
        assert!(Pdf.matches(b"%PDF-1.7\n"));
        assert!(!Pdf.matches(b"MZ\x90\x00 this program cannot be run in DOS mode"));
        assert!(Jpeg.matches(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 16]));
        assert!(!Jpeg.matches(&[0xFF, 0xD8, 0, 1]));
        assert!(Png.matches(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"));
        assert!(!Png.matches(b"<svg onload=alert(1)>"));
    }

    #[test]
    fn office_files_must_be_zips_naming_their_parts() {
        use AttachmentKind::*;
        let docx = zip_with(&["[Content_Types].xml", "_rels/.rels", "word/document.xml"]);
        let xlsx = zip_with(&["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"]);
        assert!(Docx.matches(&docx) && !Xlsx.matches(&docx));
        assert!(Xlsx.matches(&xlsx) && !Docx.matches(&xlsx));
        // A bare signature, a zip of something else, a cut archive: refused.
        assert!(!Xlsx.matches(b"PK\x03\x04rest"));
        assert!(!Docx.matches(&zip_with(&["payload.exe", "word/x.xml"])));
        assert!(!Xlsx.matches(&xlsx[..xlsx.len() - 30]));
        // A directory offset past the end is refused, not read.
        let mut bad = xlsx.clone();
        let n = bad.len();
        bad[n - 6..n - 2].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(!Xlsx.matches(&bad));
    }

    #[test]
    fn check_attachment_refuses_each_way_with_the_field_named() {
        let max = 1024;
        let err = |n: &str, d: &[u8]| check_attachment("附件", n, d, max).unwrap_err();
        assert!(err("setup.exe", b"MZ").contains("只接受 pdf、jpg、png、docx、xlsx"));
        assert!(err("x.html", b"<script>").contains("只接受"));
        assert!(err("x.svg", b"<svg><script>alert(1)</script></svg>").contains("只接受"));
        assert!(err("x.pdf", b"MZ\x90\x00").contains("不是有效的 pdf 文件"));
        assert!(err("x.pdf", b"").contains("文件是空的"));
        let big = vec![b'%'; 2 * 1048576];
        let e = check_attachment("附件", "x.pdf", &big, 1048576).unwrap_err();
        assert!(e.contains("超过 1 MB"), "{e}");
        assert!(err("", b"%PDF-").starts_with("附件: 文件名不能为空"));
        let ok = check_attachment("佐证材料", "../../etc/passwd.pdf", b"%PDF-1.4", max).unwrap();
        assert_eq!(ok.name.as_str(), "passwd.pdf");
        assert_eq!(ok.content_type(), "application/pdf");
    }
}
