//! Bytes → plain text lines: detects the container (.docx, .html, plain text) and the text
//! encoding (UTF-8 with or without BOM, UTF-16 with BOM, GB18030/GBK), and refuses what is
//! not a document with a message naming the file.

mod docx;
mod html;
mod legacy;
mod pdf;
mod table;

pub use pdf::{MAX_PDF_DECOMPRESSED, MAX_PDF_PAGES, MAX_PDF_TEXT};

use crate::error::PlanError;
use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};
pub(crate) use table::flattened as flattened_tables;

/// Largest input accepted (50 MB).
pub const MAX_INPUT_BYTES: u64 = 50 * 1024 * 1024;

/// A paragraph or a table, the common shape of .docx and .html bodies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Block {
    Para(String),
    Table(Vec<Vec<String>>),
}

/// The document as lines of text.
#[derive(Debug)]
pub(crate) struct Source {
    pub lines: Vec<String>,
    pub format: &'static str,
}

pub(crate) fn decode(bytes: &[u8], file: &str) -> Result<Source, PlanError> {
    let size = bytes.len() as u64;
    if size > MAX_INPUT_BYTES {
        return Err(PlanError::TooLarge {
            file: file.into(),
            size,
            limit: MAX_INPUT_BYTES,
        });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(PlanError::Empty { file: file.into() });
    }
    let lower = file.to_ascii_lowercase();
    if bytes.starts_with(b"%PDF") {
        return non_empty(
            file,
            Source {
                lines: pdf::lines(bytes, file)?,
                format: "pdf",
            },
        );
    }
    // LibreOffice is a process of its own: started only for a file that says it is one.
    let legacy_name = lower.ends_with(".doc") || lower.ends_with(".wps");
    if bytes.starts_with(b"\xD0\xCF\x11\xE0") && legacy_name {
        let docx = legacy::to_docx(bytes, file, std::env::var_os("PATH"))?;
        let blocks = docx::blocks(&docx).map_err(|detail| PlanError::LegacyConversion {
            file: file.into(),
            detail,
        })?;
        return non_empty(
            file,
            Source {
                lines: table::to_lines(blocks),
                format: "doc",
            },
        );
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let blocks = docx::blocks(bytes).map_err(|detail| {
            if lower.ends_with(".docx") {
                PlanError::Docx {
                    file: file.into(),
                    detail,
                }
            } else {
                PlanError::Binary {
                    file: file.into(),
                    detail: format!(" (zip: {detail})"),
                }
            }
        })?;
        return non_empty(
            file,
            Source {
                lines: table::to_lines(blocks),
                format: "docx",
            },
        );
    }
    if let Some(kind) = known_binary(bytes) {
        return Err(PlanError::Binary {
            file: file.into(),
            detail: format!(": {kind}"),
        });
    }
    let (text, encoding) = decode_text(bytes, file)?;
    if looks_binary(&text) {
        return Err(PlanError::Binary {
            file: file.into(),
            detail: String::new(),
        });
    }
    if lower.ends_with(".html") || lower.ends_with(".htm") || looks_like_html(&text) {
        let blocks = html::blocks(&text);
        return non_empty(
            file,
            Source {
                lines: table::to_lines(blocks),
                format: "html",
            },
        );
    }
    let format = match encoding {
        e if e == UTF_8 => "text/utf-8",
        e if e == GB18030 => "text/gb18030",
        _ => "text/utf-16",
    };
    non_empty(
        file,
        Source {
            lines: split_lines(&text),
            format,
        },
    )
}

fn non_empty(file: &str, source: Source) -> Result<Source, PlanError> {
    if source
        .lines
        .iter()
        .all(|l| l.trim_matches(crate::text::is_space).is_empty())
    {
        return Err(PlanError::Empty { file: file.into() });
    }
    Ok(source)
}

/// Split on `\n`, `\r\n` and lone `\r` (old Mac / some Windows exports).
fn split_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .flat_map(|l| l.strip_suffix('\r').unwrap_or(l).split('\r'))
        .map(str::to_owned)
        .collect()
}

/// Signatures of formats people upload by mistake: name them in the message.
fn known_binary(bytes: &[u8]) -> Option<&'static str> {
    let sigs: [(&[u8], &str); 5] = [
        (
            b"\xD0\xCF\x11\xE0",
            "旧版 Word/WPS (.doc/.wps), 请另存为 .docx / legacy .doc: save as .docx",
        ),
        (b"\x89PNG", "PNG image"),
        (b"\xFF\xD8\xFF", "JPEG image"),
        (b"II*\x00", "TIFF image"),
        (b"MM\x00*", "TIFF image"),
    ];
    sigs.iter()
        .find(|(sig, _)| bytes.starts_with(sig))
        .map(|(_, k)| *k)
}

/// Decode by BOM, else as UTF-8 if valid, else as GB18030 if valid, else fail.
fn decode_text(bytes: &[u8], file: &str) -> Result<(String, &'static Encoding), PlanError> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let body = bytes.get(bom_len..).unwrap_or_default();
        return match enc.decode_without_bom_handling_and_without_replacement(body) {
            Some(text) => Ok((text.into_owned(), enc)),
            None => Err(PlanError::Encoding { file: file.into() }),
        };
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        if text.contains('\0') {
            return Err(PlanError::Binary {
                file: file.into(),
                detail: String::new(),
            });
        }
        return Ok((text.to_owned(), UTF_8));
    }
    if bytes.contains(&0) {
        return utf16_without_bom(bytes).ok_or_else(|| PlanError::Binary {
            file: file.into(),
            detail: String::new(),
        });
    }
    match GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok((text.into_owned(), GB18030)),
        None => Err(PlanError::Encoding { file: file.into() }),
    }
}

/// UTF-16 without BOM: accepted only when every other byte is mostly zero (ASCII-heavy) and
/// the decoding is clean; otherwise NUL bytes mean binary.
fn utf16_without_bom(bytes: &[u8]) -> Option<(String, &'static Encoding)> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let zeros_at = |parity: usize| {
        bytes
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let half = bytes.len() / 2;
    let enc = if zeros_at(1) * 3 > half {
        UTF_16LE
    } else if zeros_at(0) * 3 > half {
        UTF_16BE
    } else {
        return None;
    };
    let text = enc.decode_without_bom_handling_and_without_replacement(bytes)?;
    (!text.contains('\0')).then(|| (text.into_owned(), enc))
}

/// Control characters other than tab, newline, CR and form feed in more than 1% of chars.
fn looks_binary(text: &str) -> bool {
    let mut total = 0usize;
    let mut control = 0usize;
    for c in text.chars().take(65_536) {
        total += 1;
        if (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c')) || c == '\u{FFFD}' {
            control += 1;
        }
    }
    control * 100 > total
}

fn looks_like_html(text: &str) -> bool {
    let head: String = text
        .chars()
        .take(4096)
        .collect::<String>()
        .to_ascii_lowercase();
    let trimmed = head.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    trimmed.starts_with("<!doctype html")
        || trimmed.starts_with("<html")
        || (trimmed.starts_with('<')
            && (head.contains("<body") || head.contains("<p") || head.contains("<div")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_is_detected() {
        let (bytes, _, _) = GB18030.encode("一、总体要求\r\n（一）新增企业30家");
        let src = decode(&bytes, "a.txt").expect("decodes");
        assert_eq!(src.format, "text/gb18030");
        assert_eq!(src.lines, vec!["一、总体要求", "（一）新增企业30家"]);
    }

    #[test]
    fn utf8_bom_is_stripped() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend_from_slice("一、总体要求".as_bytes());
        let src = decode(&bytes, "a.txt").expect("decodes");
        assert_eq!(src.lines, vec!["一、总体要求"]);
    }

    #[test]
    fn refusals_name_the_file() {
        assert!(matches!(decode(b"", "x.txt"), Err(PlanError::Empty { .. })));
        assert!(matches!(
            decode(b" \n\t", "x.txt"),
            Err(PlanError::Empty { .. })
        ));
        assert!(matches!(
            decode(b"\x00\x01\x02\x03\xff\xfe\x00", "x.txt"),
            Err(PlanError::Binary { .. })
        ));
        assert!(matches!(
            decode(b"%PDF-1.4", "x.pdf"),
            Err(PlanError::Pdf { .. })
        ));
        // An OLE file under another name is not handed to LibreOffice.
        let err = decode(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "plan.txt").expect_err("refused");
        assert!(matches!(err, PlanError::Binary { .. }), "{err}");
        assert!(err.to_string().contains(".docx"), "{err}");
        // Deeply nested PDF objects are an error, not a stack overflow.
        let mut deep = b"%PDF-1.4\n1 0 obj\n".to_vec();
        deep.extend(std::iter::repeat_n(b'[', 200_000));
        assert!(decode(&deep, "deep.pdf").is_err());
        let err = decode(b"\xff\xfe\xfd\x80\x80", "bad.txt").expect_err("fails");
        assert!(
            matches!(err, PlanError::Encoding { .. }) || matches!(err, PlanError::Binary { .. })
        );
        assert!(err.to_string().contains("bad.txt"));
    }
}
