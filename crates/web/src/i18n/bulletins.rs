//! Strings of the bulletin pages (`crate::bulletins`): key, 中文, English.

pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("bul.title", "快报通报", "Bulletins"),
    ("bul.published", "已印发", "Published"),
    (
        "bul.none",
        "尚未印发快报通报。",
        "No bulletin published yet.",
    ),
    ("bul.kind", "类型", "Kind"),
    ("bul.monthly", "月度快报", "Monthly bulletin"),
    ("bul.quarterly", "季度通报", "Quarterly bulletin"),
    ("bul.period", "期间", "Period"),
    (
        "bul.period_hint",
        "月度快报填月份, 如 2017-06; 季度通报填季度, 如 2017Q2",
        "Monthly: a month such as 2017-06; quarterly: a quarter such as 2017Q2",
    ),
    ("bul.doc_number", "发文字号", "Document number"),
    ("bul.published_at", "印发时间", "Published"),
    ("bul.published_by", "印发人", "By"),
    ("bul.preview", "预览", "Preview"),
    (
        "bul.preview_note",
        "预览按当前已审核数据生成, 尚未印发; 印发后内容冻结, 此后的更正将在下一期中作为数据更正列出。",
        "The preview uses today's approved figures and is not yet published; publishing freezes it, and later corrections appear in the next bulletin as revisions.",
    ),
    ("bul.issued_on", "成文日期", "Date of issue"),
    ("bul.publish", "印发", "Publish"),
    ("bul.publish_anyway", "仍然印发", "Publish anyway"),
    ("bul.download", "下载", "Download"),
    (
        "bul.no_plan",
        "尚无已发布的工作方案。",
        "No published plan yet.",
    ),
];
