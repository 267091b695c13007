//! Password hashing: argon2id with a per-password random salt (PHC string format).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

/// The hasher failed (only on an OS RNG failure or absurd input lengths).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes a password. Callers check strength first (`qx_core::access::check_password_strength`).
pub fn hash_password(password: &str) -> Result<String, HashError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A valid hash of a random password: verified against when a username does not exist, so
/// a wrong username takes as long as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_secret()).unwrap_or_default())
}

/// 32 random bytes as hex: passwords for generated accounts and the dummy hash.
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_salted_and_verify() {
        let a = hash_password("Secret#123").unwrap();
        let b = hash_password("Secret#123").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "salts differ");
        assert!(verify_password("Secret#123", &a));
        assert!(!verify_password("Secret#124", &a));
        assert!(!verify_password("Secret#123", "not a hash"));
    }
}
