//! Strings of the progress page of long work (`crate::jobs`): key, 中文, English.

pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("job.title", "导入进度", "Import progress"),
    ("job.stage", "当前步骤", "Stage"),
    ("job.rows", "数据行数", "Rows"),
    ("job.waiting", "等待开始", "Waiting to start"),
    ("job.finished", "已完成", "Finished"),
    (
        "job.refreshing",
        "本页每秒自动刷新, 完成后自动跳转。",
        "This page refreshes itself every second and moves on when the work is done.",
    ),
    ("job.refresh", "立即刷新", "Refresh now"),
    (
        "job.back",
        "返回企业名录重新导入",
        "Back to the registry to import again",
    ),
    (
        "job.too_many",
        "您已有导入正在进行, 请等其完成后再导入。",
        "You already have imports running; wait for them to finish.",
    ),
    (
        "job.lost",
        "导入中断, 未能得到结果, 请重新导入。",
        "The import stopped without a result; import again.",
    ),
];
