//! Strings of the 站内通知 (`crate::notices`): key, 中文, English.

pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("notice.title", "通知", "Notices"),
    ("notice.bell", "通知", "Notices"),
    ("notice.unread_only", "只看未读", "Unread only"),
    ("notice.all", "全部", "All"),
    ("notice.read_all", "全部标为已读", "Mark all read"),
    ("notice.open", "查看", "Open"),
    ("notice.mark_read", "标为已读", "Mark read"),
    ("notice.unread", "未读", "Unread"),
    ("notice.none", "暂无通知。", "No notices."),
    ("notice.older", "更早的通知", "Older notices"),
    (
        "notice.gone",
        "该事项已不在您的办理范围内(可能已转交其他单位或已撤销), 通知已标为已读。",
        "This item is no longer yours to handle (it may have been passed to another unit or withdrawn); the notice is marked read.",
    ),
    ("notice.marked", "已标为已读", "Marked read"),
    (
        "notice.elsewhere",
        "已不在您的办理范围, 可能已转交其他单位或已撤销",
        "no longer yours to handle, perhaps passed to another unit or withdrawn",
    ),
];
