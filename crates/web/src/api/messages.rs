//! The JSON API's strings (key, 中文, English), merged into `crate::i18n`: the titles of its
//! problem documents and its own refusals.

/// UI strings of this module: key, 中文, English.
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("api.problem.unauthorized", "请先登录", "Sign-in required"),
    ("api.problem.forbidden", "无权进行此操作", "Not allowed"),
    (
        "api.problem.csrf",
        "缺少或错误的 CSRF 令牌",
        "CSRF token missing or wrong",
    ),
    ("api.problem.not_found", "未找到", "Not found"),
    (
        "api.problem.validation",
        "提交的内容有误",
        "The request has errors",
    ),
    ("api.problem.too_large", "请求内容过大", "Request too large"),
    ("api.problem.too_many", "请求过于频繁", "Too many requests"),
    ("api.problem.internal", "系统内部错误", "Internal error"),
    (
        "api.problem.bad_request",
        "请求格式不符合该接口",
        "The request does not fit this endpoint",
    ),
    (
        "api.err.limit",
        "每页条数须为 1 至 500 的整数",
        "limit must be a whole number from 1 to 500",
    ),
    (
        "api.err.cursor",
        "翻页游标无效, 请使用上一页返回的 next_cursor",
        "Unknown cursor: send the previous page's next_cursor",
    ),
    (
        "api.err.period",
        "报送期须为 YYYY-MM 格式, 如 2017-11",
        "period must be YYYY-MM, e.g. 2017-11",
    ),
    (
        "api.err.choice",
        "不是可选的值",
        "is not one of the allowed values",
    ),
    ("api.as.year", "年度", "year"),
    ("api.as.quarter", "季度", "quarter"),
    ("api.as.class", "考核类别", "class"),
    ("api.pj.unit", "责任单位", "unit"),
];
