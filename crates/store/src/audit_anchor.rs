//! Anchors for the audit chain outside the database: a key file and signed checkpoints.
//!
//! The chain in [`crate::audit`] is unkeyed and its head lives in the same database, so
//! whoever can write the database can edit an entry, recompute the tail and the head, and the
//! chain still verifies; cutting the newest entries and resetting the head verifies too. A
//! checkpoint is the head (`seq`, `hash`) at a time, signed with HMAC-SHA256 under a key kept
//! outside the data directory, and written somewhere else (a file on another disk or host, the
//! system log, beside a backup). A database writer without the key can neither forge a
//! checkpoint for a rewritten history nor make the stored entries match the old ones, so
//! [`Store::verify_audit_anchors`] finds every rewrite or cut of entries up to the newest
//! checkpoint. Entries after it are protected by the chain alone.
//!
//! One checkpoint is one line of text, `seq hash unix_time mac`, fields separated by one
//! space: `seq` and `unix_time` in decimal, `hash` the entry's 64 lowercase hex digits, and
//! `mac` = HMAC-SHA256(key, "qx-audit-checkpoint-v1" ‖ seq ‖ hash ‖ unix_time) in lowercase
//! hex, where `seq` and `unix_time` enter as 8-byte big-endian integers and `hash` as its 64
//! ASCII hex digits (fixed widths, so no two checkpoints sign the same bytes).

use crate::{Result, Store};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{BufRead, Read, Write};
use std::path::{Component, Path, PathBuf};

/// Bytes of key material.
pub const KEY_LEN: usize = 32;

/// What the MAC covers before the checkpoint's fields; a new layout gets a new version.
const DOMAIN: &[u8] = b"qx-audit-checkpoint-v1";

/// The head of an empty chain (migration 0001): a checkpoint of seq 0 carries it.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A checkpoint line is about 170 bytes; anything much longer is not one, and reading it
/// whole would let a damaged file take any amount of memory.
const MAX_LINE: u64 = 512;

type HmacSha256 = Hmac<Sha256>;

/// A key file or checkpoint file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error("无法读写 {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{what} {path} 位于数据目录 {data_dir} 之内: 能写数据库的人也能读写它, 请放到数据目录之外, 例如 /etc/qx/ (it must live outside the data directory)"
    )]
    InsideDataDir {
        what: &'static str,
        path: PathBuf,
        data_dir: PathBuf,
    },
    #[error(
        "审计密钥文件 {0} 已存在, 不会覆盖: 换掉密钥会使已有检查点无法校验 (the key file exists; it is never overwritten)"
    )]
    KeyExists(PathBuf),
    #[error(
        "审计密钥文件 {0} 格式错误: 应为 64 个十六进制字符 (the key file must hold 64 hex digits; create one with `qx audit key init`)"
    )]
    KeyMalformed(PathBuf),
    #[error(
        "审计链头哈希 {0:?} 不是 64 位十六进制: 数据库已损坏 (the chain head is not a SHA-256 hex digest)"
    )]
    BadHead(String),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> AnchorError + '_ {
    move |source| AnchorError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The secret that signs checkpoints. It never appears in `Debug` output.
#[derive(Clone)]
pub struct AuditKey([u8; KEY_LEN]);

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

impl AuditKey {
    /// A fresh random key (the operating system's generator, through `rand`'s thread RNG).
    pub fn generate() -> Self {
        AuditKey(rand::random())
    }

    /// The key in a key file's text: 64 hex digits, surrounding whitespace ignored.
    pub fn parse(text: &str) -> Option<Self> {
        let mut key = [0u8; KEY_LEN];
        hex::decode_to_slice(text.trim(), &mut key).ok()?;
        Some(AuditKey(key))
    }

    /// Reads a key file written by [`AuditKey::create`].
    pub fn load(path: &Path) -> Result<Self, AnchorError> {
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(256).read_to_string(&mut text))
            .map_err(io_error(path))?;
        warn_if_shared(path);
        AuditKey::parse(&text).ok_or_else(|| AnchorError::KeyMalformed(path.to_path_buf()))
    }

    /// Writes a new random key to `path` (64 hex digits and a newline, mode 0600, synced to
    /// disk), creating missing folders. Refuses a path inside `data_dir` and an existing file.
    pub fn create(path: &Path, data_dir: Option<&Path>) -> Result<Self, AnchorError> {
        if let Some(dir) = data_dir {
            refuse_inside(path, dir, "审计密钥文件")?;
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_private_dirs(parent).map_err(io_error(parent))?;
        }
        let key = AuditKey::generate();
        let mut file = match create_new_private(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(AnchorError::KeyExists(path.to_path_buf()));
            }
            Err(e) => return Err(io_error(path)(e)),
        };
        file.write_all(format!("{}\n", hex::encode(key.0)).as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io_error(path))?;
        sync_parent(path).map_err(io_error(path))?;
        Ok(key)
    }

    fn mac(&self, seq: i64, hash: &str, at: i64) -> HmacSha256 {
        // Any key length is valid for HMAC; this cannot fail.
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(DOMAIN);
        mac.update(&seq.to_be_bytes());
        mac.update(hash.as_bytes());
        mac.update(&at.to_be_bytes());
        mac
    }
}

#[cfg(unix)]
fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(
            "审计密钥文件 {} 可被其他用户读取, 请执行 chmod 600 (the audit key file is readable by others)",
            path.display()
        );
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path) {}

#[cfg(unix)]
fn create_new_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_new_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dirs(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dirs(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Makes a newly created file's directory entry durable as well as its contents.
fn sync_parent(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        std::fs::File::open(parent)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Refuses `path` when it lies inside `data_dir`, after following symbolic links and `..`
/// (neither the path nor the folder need exist yet). `what` names the file in the message.
pub fn refuse_inside(path: &Path, data_dir: &Path, what: &'static str) -> Result<(), AnchorError> {
    let file = resolved(path).map_err(io_error(path))?;
    let dir = resolved(data_dir).map_err(io_error(data_dir))?;
    if file.starts_with(&dir) {
        return Err(AnchorError::InsideDataDir {
            what,
            path: path.to_path_buf(),
            data_dir: data_dir.to_path_buf(),
        });
    }
    Ok(())
}

/// The absolute path the file system would reach: every existing prefix with its symbolic
/// links resolved, `.` dropped and `..` taking away the component before it.
fn resolved(path: &Path) -> std::io::Result<PathBuf> {
    let mut out = PathBuf::new();
    for part in std::path::absolute(path)?.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => {
                out.push(other);
                if let Ok(real) = out.canonicalize() {
                    out = real;
                }
            }
        }
    }
    Ok(out)
}

/// The chain's head at a time, signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// Unix seconds when the checkpoint was taken.
    pub at: i64,
    mac: [u8; 32],
}

impl Checkpoint {
    /// Signs the head `seq`/`hash` as of `at`.
    pub fn sign(key: &AuditKey, seq: i64, hash: &str, at: i64) -> Result<Self, AnchorError> {
        if !is_digest(hash) || seq < 0 {
            return Err(AnchorError::BadHead(hash.to_string()));
        }
        let mac = key.mac(seq, hash, at).finalize().into_bytes().into();
        Ok(Checkpoint {
            seq,
            hash: hash.to_string(),
            at,
            mac,
        })
    }

    /// Whether `key` made this checkpoint (compared in constant time).
    pub fn verify(&self, key: &AuditKey) -> bool {
        key.mac(self.seq, &self.hash, self.at)
            .verify_slice(&self.mac)
            .is_ok()
    }

    /// Reads one line of a checkpoint file (without its line break); the error says what is wrong.
    pub fn parse(line: &str) -> Result<Self, String> {
        let fields: Vec<&str> = line.split(' ').collect();
        let [seq, hash, at, mac] = fields[..] else {
            return Err(format!(
                "应为 4 个以空格分隔的字段, 实际为 {} 个 (expected `seq hash unix_time mac`)",
                fields.len()
            ));
        };
        let number = |name: &str, s: &str| -> Result<i64, String> {
            match s.parse::<i64>() {
                Ok(n) if n >= 0 && s.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
                _ => Err(format!(
                    "{name} {s:?} 不是非负整数 (not a non-negative integer)"
                )),
            }
        };
        let seq = number("seq", seq)?;
        let at = number("unix_time", at)?;
        if !is_digest(hash) {
            return Err(format!(
                "hash {hash:?} 不是 64 位小写十六进制 (not 64 lowercase hex digits)"
            ));
        }
        let mut mac_bytes = [0u8; 32];
        if !is_digest(mac) || hex::decode_to_slice(mac, &mut mac_bytes).is_err() {
            return Err(format!(
                "mac {mac:?} 不是 64 位小写十六进制 (not 64 lowercase hex digits)"
            ));
        }
        Ok(Checkpoint {
            seq,
            hash: hash.to_string(),
            at,
            mac: mac_bytes,
        })
    }
}

/// The line format of the module documentation.
impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.seq,
            self.hash,
            self.at,
            hex::encode(self.mac)
        )
    }
}

fn is_digest(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// One non-blank line of a checkpoint file, numbered from 1 as an editor shows it.
#[derive(Debug, Clone)]
pub struct CheckpointLine {
    pub number: usize,
    pub parsed: Result<Checkpoint, String>,
}

/// Reads every checkpoint in a file (blank lines skipped, each line bounded in length).
pub fn read_checkpoints(path: &Path) -> Result<Vec<CheckpointLine>, AnchorError> {
    let file = std::fs::File::open(path).map_err(io_error(path))?;
    let mut reader = std::io::BufReader::new(file);
    let mut lines = Vec::new();
    let mut buf = Vec::new();
    for number in 1.. {
        buf.clear();
        let n = (&mut reader)
            .take(MAX_LINE)
            .read_until(b'\n', &mut buf)
            .map_err(io_error(path))?;
        if n == 0 {
            break;
        }
        let complete = buf.last() == Some(&b'\n');
        if !complete && n as u64 == MAX_LINE {
            lines.push(CheckpointLine {
                number,
                parsed: Err(format!("行长超过 {MAX_LINE} 字节 (line too long)")),
            });
            // Skip the rest of the overlong line.
            loop {
                buf.clear();
                let m = (&mut reader)
                    .take(MAX_LINE)
                    .read_until(b'\n', &mut buf)
                    .map_err(io_error(path))?;
                if m == 0 || buf.last() == Some(&b'\n') {
                    break;
                }
            }
            continue;
        }
        let text = String::from_utf8_lossy(&buf);
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            continue;
        }
        lines.push(CheckpointLine {
            number,
            parsed: Checkpoint::parse(text),
        });
    }
    Ok(lines)
}

/// Appends one checkpoint as one line, creating the file if needed, and syncs it to disk
/// before returning. The file is opened for appending only: nothing in it is ever rewritten.
pub fn append_checkpoint(path: &Path, checkpoint: &Checkpoint) -> Result<(), AnchorError> {
    let existed = path.exists();
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(io_error(path))?;
    // One write call per line, so lines appended by several processes never interleave.
    file.write_all(format!("{checkpoint}\n").as_bytes())
        .and_then(|()| file.sync_data())
        .map_err(io_error(path))?;
    if !existed {
        sync_parent(path).map_err(io_error(path))?;
    }
    Ok(())
}

/// Something a checkpoint file says about the chain, or about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorFinding {
    /// The line is not a checkpoint.
    Malformed { line: usize, reason: String },
    /// The line's MAC does not match: edited, forged, or made with another key.
    BadMac { line: usize },
    /// The entry `seq` is stored with another hash than the checkpoint holds.
    Rewritten { line: usize, seq: i64 },
    /// The checkpoint anchors entry `seq` but the chain ends at `entries`.
    Cut { line: usize, seq: i64, entries: i64 },
}

impl fmt::Display for AnchorFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AnchorFinding::Malformed { line, reason } => write!(
                f,
                "检查点第{line}行格式错误: {reason} (checkpoint line {line} is malformed)"
            ),
            AnchorFinding::BadMac { line } => write!(
                f,
                "检查点第{line}行签名无效 (checkpoint line {line} has a bad MAC: the file was edited or the key is wrong)"
            ),
            AnchorFinding::Rewritten { line, seq } => write!(
                f,
                "第 {seq} 条记录与检查点第{line}行不符: 第 {seq} 条及以前的历史被改写 (entry {seq} differs from checkpoint line {line}: history up to this checkpoint was rewritten)"
            ),
            AnchorFinding::Cut { line, seq, entries } => write!(
                f,
                "检查点第{line}行锚定第 {seq} 条, 而审计日志只有 {entries} 条: 最新的记录被删除 (entries were cut: checkpoint line {line} anchors entry {seq}, the chain has {entries})"
            ),
        }
    }
}

/// What the checkpoints say about the stored chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorVerification {
    /// Checkpoint lines read.
    pub checkpoints: usize,
    /// The chain's length (its highest sequence number).
    pub entries: i64,
    /// The highest sequence number a valid checkpoint matched: entries up to it are as they
    /// were when it was taken.
    pub anchored_to: Option<i64>,
    /// In line order; empty when every checkpoint holds.
    pub findings: Vec<AnchorFinding>,
}

impl AnchorVerification {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Judges checkpoint `lines` against a chain of `entries` entries whose stored hashes, for
/// the sequence numbers the checkpoints name, are in `stored`.
pub fn judge(
    key: &AuditKey,
    lines: &[CheckpointLine],
    entries: i64,
    stored: &HashMap<i64, String>,
) -> AnchorVerification {
    let mut findings = Vec::new();
    let mut anchored_to = None;
    for l in lines {
        let line = l.number;
        let cp = match &l.parsed {
            Ok(cp) => cp,
            Err(reason) => {
                findings.push(AnchorFinding::Malformed {
                    line,
                    reason: reason.clone(),
                });
                continue;
            }
        };
        if !cp.verify(key) {
            findings.push(AnchorFinding::BadMac { line });
            continue;
        }
        let actual = if cp.seq == 0 {
            Some(GENESIS)
        } else {
            stored.get(&cp.seq).map(String::as_str)
        };
        match actual {
            _ if cp.seq > entries => findings.push(AnchorFinding::Cut {
                line,
                seq: cp.seq,
                entries,
            }),
            Some(h) if h == cp.hash => anchored_to = anchored_to.max(Some(cp.seq)),
            _ => findings.push(AnchorFinding::Rewritten { line, seq: cp.seq }),
        }
    }
    AnchorVerification {
        checkpoints: lines.len(),
        entries,
        anchored_to,
        findings,
    }
}

impl Store {
    /// A checkpoint of the chain's head now.
    pub async fn audit_checkpoint(&self, key: &AuditKey) -> Result<Checkpoint> {
        let (seq, hash) = self.change_stamp().await?;
        Checkpoint::sign(key, seq, &hash, crate::now())
            .map_err(|e| crate::StoreError::Invalid(e.to_string()))
    }

    /// Checks the stored entries against checkpoint `lines` signed with `key`. The chain's own
    /// links are [`Store::verify_audit`]'s business; run both.
    pub async fn verify_audit_anchors(
        &self,
        key: &AuditKey,
        lines: &[CheckpointLine],
    ) -> Result<AnchorVerification> {
        use futures_util::TryStreamExt;
        let wanted: HashSet<i64> = lines
            .iter()
            .filter_map(|l| l.parsed.as_ref().ok())
            .map(|cp| cp.seq)
            .collect();
        let mut stored = HashMap::new();
        let mut entries = 0;
        let mut rows =
            sqlx::query_as::<_, (i64, String)>("SELECT seq, hash FROM audit_log ORDER BY seq")
                .fetch(self.pool());
        while let Some((seq, hash)) = rows.try_next().await? {
            entries = entries.max(seq);
            if wanted.contains(&seq) {
                stored.insert(seq, hash);
            }
        }
        Ok(judge(key, lines, entries, &stored))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    fn key(byte: u8) -> AuditKey {
        AuditKey([byte; KEY_LEN])
    }

    fn line(number: usize, text: &str) -> CheckpointLine {
        CheckpointLine {
            number,
            parsed: Checkpoint::parse(text),
        }
    }

    #[test]
    fn a_checkpoint_survives_its_line_and_only_its_key_verifies_it() {
        let cp = Checkpoint::sign(&key(1), 42, HASH, 1_700_000_000).unwrap();
        let text = cp.to_string();
        let fields: Vec<&str> = text.split(' ').collect();
        assert_eq!(fields.len(), 4);
        assert_eq!(&fields[..3], ["42", HASH, "1700000000"]);
        let back = Checkpoint::parse(&text).unwrap();
        assert_eq!(back, cp);
        assert!(back.verify(&key(1)));
        assert!(!back.verify(&key(2)), "another key");
    }

    #[test]
    fn changing_any_field_breaks_the_mac() {
        let k = key(7);
        let cp = Checkpoint::sign(&k, 42, HASH, 1_700_000_000)
            .unwrap()
            .to_string();
        let other_hash = HASH.replace('9', "8");
        for forged in [
            cp.replacen("42 ", "43 ", 1),
            cp.replace(HASH, &other_hash),
            cp.replace("1700000000", "1700000001"),
        ] {
            assert_ne!(forged, cp);
            assert!(!Checkpoint::parse(&forged).unwrap().verify(&k), "{forged}");
        }
    }

    #[test]
    fn malformed_lines_say_what_is_wrong() {
        let good = Checkpoint::sign(&key(1), 1, HASH, 5).unwrap().to_string();
        let cases = [
            (good.replace(' ', "\t"), "4 个"),
            (format!("{good} extra"), "4 个"),
            (good.replacen("1 ", "-1 ", 1), "seq"),
            (good.replacen("1 ", "+1 ", 1), "seq"),
            (good.replace(HASH, &HASH.to_uppercase()), "hash"),
            (good.replace(HASH, &HASH[1..]), "hash"),
            (good.replace(" 5 ", " x "), "unix_time"),
            (format!("{}zz", &good[..good.len() - 2]), "mac"),
        ];
        for (text, says) in cases {
            let err = Checkpoint::parse(&text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn judge_names_bad_lines_rewritten_and_cut_entries() {
        let k = key(3);
        let other = HASH.replace('a', "b");
        let lines = vec![
            line(1, &Checkpoint::sign(&k, 0, GENESIS, 1).unwrap().to_string()),
            line(2, &Checkpoint::sign(&k, 2, HASH, 2).unwrap().to_string()),
            line(4, &Checkpoint::sign(&k, 3, HASH, 3).unwrap().to_string()),
            line(
                5,
                &Checkpoint::sign(&key(9), 3, HASH, 3).unwrap().to_string(),
            ),
            line(6, "garbage"),
            line(7, &Checkpoint::sign(&k, 9, HASH, 4).unwrap().to_string()),
        ];
        let stored = HashMap::from([(2, HASH.to_string()), (3, other)]);
        let v = judge(&k, &lines, 5, &stored);
        assert_eq!(v.checkpoints, 6);
        assert_eq!(v.anchored_to, Some(2));
        assert_eq!(v.findings.len(), 4, "{:?}", v.findings);
        assert_eq!(v.findings[0], AnchorFinding::Rewritten { line: 4, seq: 3 });
        assert_eq!(v.findings[1], AnchorFinding::BadMac { line: 5 });
        assert!(matches!(
            v.findings[2],
            AnchorFinding::Malformed { line: 6, .. }
        ));
        assert_eq!(
            v.findings[3],
            AnchorFinding::Cut {
                line: 7,
                seq: 9,
                entries: 5
            }
        );
        assert!(v.findings[1].to_string().contains("检查点第5行签名无效"));
        assert!(!v.ok());
        assert!(judge(&k, &lines[..2], 5, &stored).ok());
    }

    #[test]
    fn the_key_file_is_private_new_and_outside_the_data_dir() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        for inside in [
            data.join("audit.key"),
            data.join("sub/audit.key"),
            dir.path().join("elsewhere/../data/audit.key"),
        ] {
            let err = AuditKey::create(&inside, Some(&data)).unwrap_err();
            assert!(matches!(err, AnchorError::InsideDataDir { .. }), "{err}");
            assert!(!inside.exists());
        }
        #[cfg(unix)]
        {
            let link = dir.path().join("link");
            std::os::unix::fs::symlink(&data, &link).unwrap();
            let err = AuditKey::create(&link.join("audit.key"), Some(&data)).unwrap_err();
            assert!(matches!(err, AnchorError::InsideDataDir { .. }), "{err}");
        }

        let path = dir.path().join("etc/qx/audit.key");
        let made = AuditKey::create(&path, Some(&data)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.trim().len(), 64);
        let loaded = AuditKey::load(&path).unwrap();
        assert_eq!(loaded.0, made.0);
        assert_eq!(format!("{loaded:?}"), "AuditKey(…)");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = AuditKey::create(&path, Some(&data)).unwrap_err();
        assert!(matches!(again, AnchorError::KeyExists(_)));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "kept");
        assert_ne!(AuditKey::generate().0, AuditKey::generate().0);

        std::fs::write(dir.path().join("bad.key"), "not a key").unwrap();
        let bad = AuditKey::load(&dir.path().join("bad.key")).unwrap_err();
        assert!(matches!(bad, AnchorError::KeyMalformed(_)));
    }

    #[test]
    fn checkpoints_are_appended_and_read_back_with_line_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoints");
        let k = key(5);
        let a = Checkpoint::sign(&k, 1, HASH, 10).unwrap();
        let b = Checkpoint::sign(&k, 2, HASH, 20).unwrap();
        append_checkpoint(&path, &a).unwrap();
        append_checkpoint(&path, &b).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"\n").unwrap();
        f.write_all(&vec![b'x'; 2000]).unwrap();
        f.write_all(b"\n").unwrap();
        drop(f);
        append_checkpoint(&path, &a).unwrap();
        let lines = read_checkpoints(&path).unwrap();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].parsed.as_ref().unwrap(), &a);
        assert_eq!(lines[1].parsed.as_ref().unwrap(), &b);
        assert_eq!(lines[2].number, 4);
        assert!(lines[2].parsed.as_ref().unwrap_err().contains("过"));
        assert_eq!(lines[3].number, 5);
        assert_eq!(lines[3].parsed.as_ref().unwrap(), &a);
    }
}
