//! One HTTP POST to an endpoint. The system makes no other outside calls, so this is a
//! minimal HTTP/1.1 client (http:// only: deployments sit inside the government network and
//! the build carries no TLS library) rather than a client library.

use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What a POST got: the status code if a response came, otherwise the error; and how long
/// it took.
#[derive(Debug, Clone)]
pub struct Posted {
    pub status: Result<u16, String>,
    pub duration_ms: i64,
}

/// POSTs `body` (JSON) with `headers` to an `http://` URL, giving up after `timeout`.
pub async fn post(url: &str, headers: &[(&str, String)], body: &str, timeout: Duration) -> Posted {
    let started = Instant::now();
    let status = match tokio::time::timeout(timeout, exchange(url, headers, body)).await {
        Ok(r) => r,
        Err(_) => Err(format!("超时 ({} 秒无响应)", timeout.as_secs())),
    };
    Posted {
        status,
        duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
    }
}

async fn exchange(url: &str, headers: &[(&str, String)], body: &str) -> Result<u16, String> {
    let rest = url.strip_prefix("http://").ok_or("只支持 http:// 地址")?;
    let (authority, path) = rest
        .find('/')
        .map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
    let addr = if authority.contains(':') {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let mut stream = tokio::net::TcpStream::connect(&addr)
        .await
        .map_err(|e| format!("无法连接 {addr}: {e}"))?;
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\nUser-Agent: qiangxian-webhook\r\n",
        body.len()
    );
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream
        .write_all(req.as_bytes())
        .await
        .map_err(|e| format!("发送失败: {e}"))?;
    // The status line is all we read: "HTTP/1.1 204 No Content".
    let mut head = Vec::with_capacity(64);
    let mut buf = [0u8; 64];
    while !head.contains(&b'\n') && head.len() < 1024 {
        let n = stream
            .read(&mut buf)
            .await
            .map_err(|e| format!("读取响应失败: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("无法识别的响应 {:?}", line.lines().next().unwrap_or("")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn posts_with_headers_and_reads_the_status() {
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
        let got = post(
            &format!("http://{addr}/hook"),
            &[("X-QX-Timestamp", "1".into())],
            &body,
            Duration::from_secs(5),
        )
        .await;
        assert_eq!(got.status, Ok(204));
        let request = server.await.unwrap();
        assert!(request.starts_with("POST /hook HTTP/1.1"));
        assert!(request.contains("X-QX-Timestamp: 1\r\n"));
        assert!(request.contains("未报送"));
        let refused = post(
            "https://example.invalid/",
            &[],
            "{}",
            Duration::from_secs(1),
        )
        .await;
        assert!(refused.status.is_err());
    }
}
