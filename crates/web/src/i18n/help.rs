//! Strings of the user guide (`crate::help`): key, 中文, English.

pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("help.nav", "帮助", "Help"),
    ("help.title", "使用指南", "User guide"),
    ("help.contents", "目录", "Contents"),
    (
        "help.chinese_only",
        "本指南只有中文版。",
        "This guide is written in Chinese only; the screens it shows are the Chinese interface.",
    ),
];
