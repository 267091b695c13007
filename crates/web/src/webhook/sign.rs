//! The signature of a webhook message: `X-QX-Signature: sha256=<hex>` where the hex is
//! HMAC-SHA256 keyed with the endpoint's secret over `timestamp + "." + body`, and the
//! timestamp (Unix seconds) is sent as `X-QX-Timestamp`. Signing the timestamp with the body
//! lets a receiver refuse a replayed message (one whose timestamp is old) that it could not
//! otherwise tell from a fresh one. `docs/webhooks.md` shows a worked example; the test below
//! checks its figures.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const TIMESTAMP_HEADER: &str = "X-QX-Timestamp";
pub const SIGNATURE_HEADER: &str = "X-QX-Signature";

/// The value of `X-QX-Signature` for `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// DingTalk's own 加签 for a robot whose security setting is "加签" (a secret starting with
/// `SEC`): `timestamp` in milliseconds and `sign` = base64(HMAC-SHA256(secret,
/// timestamp + "\n" + secret)), both appended to the robot's URL.
pub fn dingtalk_url(url: &str, secret: &str, timestamp_ms: i64) -> String {
    use base64::Engine as _;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    let sign = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let sign: String =
        percent_encoding::utf8_percent_encode(&sign, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}timestamp={timestamp_ms}&sign={sign}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of `docs/webhooks.md`, figure for figure.
    #[test]
    fn the_documented_example_verifies() {
        let body = r#"{"event":"report.late","message":"县经信局 2017-11 未报送"}"#;
        let sig = signature("qx-demo-secret", 1512446400, body.as_bytes());
        assert_eq!(sig, DOC_EXAMPLE_SIGNATURE);
        let doc = include_str!("../../../../docs/webhooks.md");
        assert!(
            doc.contains(DOC_EXAMPLE_SIGNATURE),
            "docs/webhooks.md shows {sig}"
        );
        assert!(doc.contains(body));
        // Any change to the body, the time or the key changes the signature.
        assert_ne!(
            signature("qx-demo-secret", 1512446401, body.as_bytes()),
            sig
        );
        assert_ne!(
            signature("qx-demo-secreT", 1512446400, body.as_bytes()),
            sig
        );
    }

    const DOC_EXAMPLE_SIGNATURE: &str =
        "sha256=96a44789d4ddd1747dcb3642cacdae37b266033b6e49d07a2e35d043b3307111";

    #[test]
    fn dingtalk_signing_is_appended_to_the_url() {
        let url = dingtalk_url("http://oapi.local/robot/send?access_token=abc", "SECxyz", 1);
        assert!(url.starts_with("http://oapi.local/robot/send?access_token=abc&timestamp=1&sign="));
        assert!(!url.ends_with("sign="));
    }
}
