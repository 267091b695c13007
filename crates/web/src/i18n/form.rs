//! The strings of `crate::form`: what a form says beside a field it could not read.

/// key, 中文, English
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("form.required", "请填写{label}", "{label}: required"),
    (
        "form.not_a_number",
        "{label}: \"{value}\" 不是有效的数字",
        "{label}: \"{value}\" is not a number",
    ),
    (
        "form.not_a_date",
        "{label}: \"{value}\" 不是有效日期, 格式应为 YYYY-MM-DD",
        "{label}: \"{value}\" is not a date (YYYY-MM-DD)",
    ),
    ("form.choose", "请选择{label}", "{label}: please choose"),
    (
        "form.file_too_large",
        "{name}: 大小超过 {limit} 上限, 请压缩或拆分后重新选择",
        "{name}: larger than {limit}; compress or split it and choose again",
    ),
    (
        "form.choose_file",
        "请选择要上传的文件",
        "Choose a file to upload",
    ),
    (
        "form.bad_query",
        "链接中的参数无法读取: 请从页面上的链接或筛选重新打开",
        "The link's parameters could not be read: open the page again from its links or filters",
    ),
    (
        "form.unreadable",
        "表单内容无法读取: 请返回上一页, 检查数字和日期栏后重新提交",
        "The form could not be read: go back, check the number and date fields and send it again",
    ),
    (
        "form.fix_below",
        "表单有需要修改的地方, 已在对应栏目旁标出, 填写的内容均已保留",
        "Some fields need correcting (marked beside each); everything you typed is kept",
    ),
];
