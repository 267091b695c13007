//! The archive check: entries counted from the End Of Central Directory before the zip reader
//! builds its table, then every entry inflated once with its real bytes counted against the caps.

use crate::error::{Problem, UploadError};
use crate::limits::Limits;
use std::io::{Cursor, Read};
use zip::ZipArchive;

/// The magic of OLE compound files: legacy .xls/.doc, and encrypted .xlsx/.docx.
const CFB_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// The smallest central directory record: a lower bound of an entry's cost.
const CENTRAL_RECORD_MIN: u64 = 46;
const EOCD_LEN: usize = 22;

/// An uploaded zip archive whose entries have all been inflated once within [`Limits`].
pub struct Archive<'a> {
    file: String,
    bytes: &'a [u8],
    zip: ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
}

impl<'a> Archive<'a> {
    /// Checks `bytes` as an archive named `file`: its magic, the entry count its End Of Central
    /// Directory declares (and the most its central directory could hold), then every entry
    /// inflated and counted, stopping at the first cap broken.
    pub fn open(file: &str, bytes: &'a [u8], limits: &Limits) -> Result<Self, UploadError> {
        let refuse = |problem| UploadError::new(file, problem);
        if bytes.starts_with(CFB_MAGIC) {
            return Err(refuse(Problem::Legacy));
        }
        if !bytes.starts_with(b"PK") {
            return Err(refuse(Problem::NotZip));
        }
        let (declared, could_hold) =
            declared_entries(bytes).map_err(|e| refuse(Problem::Corrupt(e)))?;
        let found = if declared > limits.max_entries {
            declared
        } else {
            could_hold
        };
        if found > limits.max_entries {
            return Err(refuse(Problem::TooManyEntries {
                found,
                max: limits.max_entries,
            }));
        }
        let mut zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| refuse(Problem::Corrupt(e.to_string())))?;
        if zip.len() as u64 > limits.max_entries {
            return Err(refuse(Problem::TooManyEntries {
                found: zip.len() as u64,
                max: limits.max_entries,
            }));
        }
        let mut total = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        for i in 0..zip.len() {
            let mut entry = zip
                .by_index(i)
                .map_err(|e| refuse(Problem::Corrupt(e.to_string())))?;
            let part = entry
                .name()
                .map_or_else(|_| format!("#{i}"), |n| n.into_owned());
            let mut size = 0u64;
            loop {
                let n = match entry.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n as u64,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(refuse(Problem::Corrupt(format!("{part}: {e}")))),
                };
                size += n;
                total += n;
                if size > limits.max_part_bytes {
                    return Err(refuse(Problem::PartTooLarge {
                        part,
                        max: limits.max_part_bytes,
                    }));
                }
                if total > limits.max_total_bytes {
                    return Err(refuse(Problem::TotalTooLarge {
                        part,
                        max: limits.max_total_bytes,
                    }));
                }
            }
        }
        Ok(Self {
            file: file.to_string(),
            bytes,
            zip,
            limits: limits.clone(),
        })
    }

    /// A part's bytes (at most the per-part cap), or `None` when the archive has no such part.
    pub fn read_part(&mut self, name: &str) -> Result<Option<Vec<u8>>, UploadError> {
        let cap = self.limits.max_part_bytes;
        let mut out = Vec::new();
        let read = match self.zip.by_name(name) {
            Ok(entry) => entry
                .take(cap + 1)
                .read_to_end(&mut out)
                .map_err(|e| e.to_string()),
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = read {
            return Err(self.refuse(Problem::Corrupt(format!("{name}: {e}"))));
        }
        if out.len() as u64 > self.limits.max_part_bytes {
            return Err(self.refuse(Problem::PartTooLarge {
                part: name.to_string(),
                max: self.limits.max_part_bytes,
            }));
        }
        Ok(Some(out))
    }

    /// The names of the archive's entries, in central-directory order.
    pub fn names(&self) -> Vec<String> {
        self.zip
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .collect()
    }

    pub(crate) fn refuse(&self, problem: Problem) -> UploadError {
        UploadError::new(&self.file, problem)
    }

    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    pub(crate) fn zip(&mut self) -> &mut ZipArchive<Cursor<&'a [u8]>> {
        &mut self.zip
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u16::from_le_bytes(
        b.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn u32_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u32::from_le_bytes(
        b.get(at..at + 4)?.try_into().ok()?,
    )))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The entries an archive can make a zip reader build: what its End Of Central Directory
/// declares (Zip64 included), and the most its central directory's declared size could hold.
fn declared_entries(bytes: &[u8]) -> Result<(u64, u64), String> {
    let missing = || "找不到中央目录 (no end of central directory)".to_string();
    if bytes.len() < EOCD_LEN {
        return Err(missing());
    }
    let last = bytes.len() - EOCD_LEN;
    let first = last.saturating_sub(usize::from(u16::MAX));
    let eocd = (first..=last)
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))
        .ok_or_else(missing)?;
    let bad = || "中央目录记录不完整 (truncated end of central directory)".to_string();
    let mut entries = u16_at(bytes, eocd + 10).ok_or_else(bad)?;
    let mut cd_size = u32_at(bytes, eocd + 12).ok_or_else(bad)?;
    let zip64 = entries == 0xFFFF || cd_size == 0xFFFF_FFFF;
    if zip64 && eocd >= 20 && bytes[eocd - 20..].starts_with(b"PK\x06\x07") {
        let at = u64_at(bytes, eocd - 20 + 8).ok_or_else(bad)?;
        let at = usize::try_from(at).map_err(|_| bad())?;
        if bytes
            .get(at..)
            .is_some_and(|b| b.starts_with(b"PK\x06\x06"))
        {
            entries = entries.max(u64_at(bytes, at + 32).ok_or_else(bad)?);
            cd_size = cd_size.max(u64_at(bytes, at + 40).ok_or_else(bad)?);
        }
    }
    let could_hold = cd_size.min(bytes.len() as u64) / CENTRAL_RECORD_MIN;
    Ok((entries, could_hold))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hostile::{deflated_zip, stored_zip};

    fn small() -> Limits {
        Limits {
            max_entries: 5,
            max_part_bytes: 1000,
            max_total_bytes: 1500,
            ..Limits::default()
        }
    }

    #[test]
    fn entries_are_counted_from_the_central_directory() {
        let names: Vec<String> = (0..6).map(|i| format!("p{i}.xml")).collect();
        let parts: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
        let bytes = stored_zip(&parts);
        assert_eq!(declared_entries(&bytes).map(|(n, _)| n), Ok(6));
        let e = Archive::open("a.xlsx", &bytes, &small()).err().unwrap();
        assert_eq!(e.problem, Problem::TooManyEntries { found: 6, max: 5 });
        assert!(Archive::open("a.xlsx", &stored_zip(&parts[..5]), &small()).is_ok());
    }

    #[test]
    fn a_part_is_inflated_and_counted_against_its_cap() {
        let bytes = deflated_zip(&[("xl/worksheets/sheet1.xml", &[b' '; 1001][..])]);
        let e = Archive::open("模板.xlsx", &bytes, &small()).err().unwrap();
        assert_eq!(
            e.problem,
            Problem::PartTooLarge {
                part: "xl/worksheets/sheet1.xml".into(),
                max: 1000
            }
        );
        assert!(
            e.to_string()
                .starts_with("模板.xlsx: 工作表 xl/worksheets/sheet1.xml 解压后超过")
        );
        let ok = deflated_zip(&[("xl/worksheets/sheet1.xml", &[b' '; 1000][..])]);
        assert!(Archive::open("模板.xlsx", &ok, &small()).is_ok());
    }

    #[test]
    fn all_parts_together_are_counted_against_the_total_cap() {
        let bytes = deflated_zip(&[("a.xml", &[b' '; 800][..]), ("b.xml", &[b' '; 800][..])]);
        let e = Archive::open("a.xlsx", &bytes, &small()).err().unwrap();
        assert!(
            matches!(e.problem, Problem::TotalTooLarge { ref part, max: 1500 } if part == "b.xml")
        );
    }

    #[test]
    fn wrong_magic_truncation_and_legacy_files_are_refused() {
        let bytes = deflated_zip(&[("a.xml", &b"<a/>"[..])]);
        let e = Archive::open("a.xlsx", &bytes[..bytes.len() / 2], &small())
            .err()
            .unwrap();
        assert!(matches!(e.problem, Problem::Corrupt(_)), "{e}");
        let e = Archive::open("a.xlsx", b"%PDF-1.4", &small())
            .err()
            .unwrap();
        assert_eq!(e.problem, Problem::NotZip);
        let e = Archive::open("a.xls", CFB_MAGIC, &small()).err().unwrap();
        assert_eq!(e.problem, Problem::Legacy);
        assert!(e.to_string().contains("另存为"));
    }

    #[test]
    fn a_part_is_read_under_the_cap() {
        let bytes = deflated_zip(&[("word/document.xml", &b"<w:document/>"[..])]);
        let mut a = Archive::open("a.docx", &bytes, &small()).unwrap();
        assert_eq!(
            a.read_part("word/document.xml").unwrap().as_deref(),
            Some(&b"<w:document/>"[..])
        );
        assert_eq!(a.read_part("word/numbering.xml").unwrap(), None);
        a.limits.max_part_bytes = 4;
        let e = a.read_part("word/document.xml").err().unwrap();
        assert!(
            e.to_string().contains("正文 word/document.xml 解压后超过"),
            "{e}"
        );
    }
}
