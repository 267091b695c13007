//! Outgoing notifications to the county's messaging platform: a JSON POST to the URL in the
//! `notify.webhook_url` setting. [`dispatch_notices`] delivers problem notices in the
//! background (the web handlers and `qx serve`'s deadline sweep call it). The system makes no other outside calls, so this is a minimal
//! HTTP/1.1 client (http:// only, inside the government network) rather than a client library.

use qx_store::Store;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// POSTs a JSON `body` and returns the HTTP status code; gives up after 5 seconds.
pub async fn post_json(url: &str, body: &str) -> Result<u16, String> {
    let rest = url
        .strip_prefix("http://")
        .ok_or("only http:// webhook URLs are supported")?;
    let (authority, path) = rest
        .find('/')
        .map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let addr = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let work = async {
        let mut stream = tokio::net::TcpStream::connect(&addr)
            .await
            .map_err(|e| e.to_string())?;
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream
            .write_all(req.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        let mut head = vec![0u8; 64];
        let n = stream.read(&mut head).await.map_err(|e| e.to_string())?;
        let line = String::from_utf8_lossy(&head[..n]).to_string();
        line.split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| format!("bad response {line:?}"))
    };
    tokio::time::timeout(Duration::from_secs(5), work)
        .await
        .map_err(|_| "timeout".to_string())?
}

/// Sends the notices to `notify.webhook_url` in the background (http:// only, 5-second
/// timeout); each notice records how delivery went.
pub fn dispatch_notices(store: Store, notices: Vec<i64>) {
    if notices.is_empty() {
        return;
    }
    tokio::spawn(async move {
        let url = match store.get_setting("notify.webhook_url").await {
            Ok(Some(u)) if !u.trim().is_empty() => u.trim().to_string(),
            Ok(_) => return,
            Err(e) => {
                tracing::warn!("webhook: cannot read setting: {e}");
                return;
            }
        };
        for id in notices {
            let Ok(n) = store.get_notice(id).await else {
                continue;
            };
            let (audience, audience_id) = n.audience.to_parts();
            let problem_id = match n.subject {
                qx_core::notice::Subject::Problem(id) => Some(id),
                _ => None,
            };
            let body = serde_json::json!({
                "type": "problem.notice", "id": n.id, "problem_id": problem_id, "audience": audience,
                "audience_id": audience_id, "kind": n.kind.as_str(), "message": n.message,
                "at": n.created_at,
            })
            .to_string();
            let status = match post_json(&url, &body).await {
                Ok(code) if (200..300).contains(&code) => format!("ok {code}"),
                Ok(code) => format!("failed: HTTP {code}"),
                Err(e) => format!("failed: {e}"),
            };
            if status.starts_with("failed") {
                tracing::warn!(notice = id, "webhook {url}: {status}");
            }
            if let Err(e) = store.set_notice_webhook_status(id, &status).await {
                tracing::warn!("webhook: cannot record status: {e}");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn posts_json_and_reads_the_status() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            let n = s.read(&mut buf).await.unwrap();
            s.write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
                .await
                .unwrap();
            String::from_utf8_lossy(&buf[..n]).to_string()
        });
        let body = serde_json::json!({"text": "未报送"}).to_string();
        let code = post_json(&format!("http://{addr}/hook"), &body)
            .await
            .unwrap();
        assert_eq!(code, 204);
        let request = server.await.unwrap();
        assert!(request.starts_with("POST /hook HTTP/1.1"));
        assert!(request.contains("未报送"));
        assert!(post_json("https://example.invalid/", "{}").await.is_err());
    }
}
