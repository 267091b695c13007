//! The body an endpoint receives: the event as stored (JSON format), or a 钉钉/浙政钉 robot
//! markdown message made from it.

use qx_core::webhook::Format;

/// The body to POST for a delivery's stored `payload` in `format`.
pub fn body(format: Format, payload: &str) -> String {
    match format {
        Format::Json => payload.to_string(),
        Format::DingTalk => dingtalk(payload),
    }
}

fn dingtalk(payload: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    let title = match field("event_label") {
        t if t.is_empty() => "强县工作提醒".to_string(),
        t => t,
    };
    let when = v
        .get("at")
        .and_then(|x| x.as_i64())
        .map(qx_core::time::format_datetime)
        .unwrap_or_default();
    let text = format!(
        "#### 【{title}】\n\n{}\n\n> 强县 · {when}",
        field("message")
    );
    serde_json::json!({
        "msgtype": "markdown",
        "markdown": { "title": title, "text": text },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dingtalk_message_is_markdown_with_the_event_and_the_text() {
        let payload = r#"{"event":"report.late","event_label":"逾期未报(催报)","message":"县经信局 2017-11 未报送","at":1512446400}"#;
        assert_eq!(body(Format::Json, payload), payload);
        let v: serde_json::Value = serde_json::from_str(&body(Format::DingTalk, payload)).unwrap();
        assert_eq!(v["msgtype"], "markdown");
        assert_eq!(v["markdown"]["title"], "逾期未报(催报)");
        let text = v["markdown"]["text"].as_str().unwrap();
        assert!(text.contains("【逾期未报(催报)】") && text.contains("县经信局 2017-11 未报送"));
        assert!(text.contains("2017-12-05"), "{text}");
    }
}
