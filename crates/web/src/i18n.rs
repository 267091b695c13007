//! Chinese by default, English on request: the UI's strings in both languages.

use std::collections::HashMap;
use std::sync::OnceLock;

pub use qx_core::label::Lang;

/// key, 中文, English
const MESSAGES: &[(&str, &str, &str)] = &[
    (
        "app.name",
        "强县 · 工业强县工作推进系统",
        "Qiangxian · County Industry Work Plan",
    ),
    ("app.short", "强县", "Qiangxian"),
    ("app.long", "工业强县工作推进系统", "County Industry Work Plan"),
    ("nav.home", "首页", "Home"),
    ("nav.plans", "工作方案", "Plans"),
    ("nav.bulletins", "快报通报", "Bulletins"),
    ("nav.problems", "企业难题", "Problems"),
    ("nav.enterprises", "企业与亩均评价", "Enterprises"),
    ("nav.units", "单位", "Units"),
    ("nav.users", "用户", "Users"),
    ("nav.audit", "审计日志", "Audit log"),
    ("nav.calendar", "工作日历", "Calendar"),
    ("nav.account", "我的账户", "My account"),
    ("nav.logout", "退出", "Log out"),
    ("nav.lang", "English", "中文"),
    ("login.title", "登录", "Sign in"),
    ("login.username", "用户名", "Username"),
    ("login.password", "密码", "Password"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.failed",
        "用户名或密码错误; 连续输错多次的账户会暂时锁定, 请稍后再试或请办公室解锁",
        "Wrong username or password; after repeated failures an account is locked for a while: try later or ask the office to unlock it",
    ),
    (
        "login.expired",
        "会话已超时, 请重新登录",
        "Your session timed out; please sign in again",
    ),
    (
        "login.hint",
        "连续5次输错密码将锁定账户15分钟; 闲置30分钟或登录满12小时自动退出。",
        "5 wrong passwords lock the account for 15 minutes; sessions end after 30 idle minutes or 12 hours.",
    ),
    ("home.welcome", "欢迎", "Welcome"),
    ("home.units_by_kind", "单位构成", "Units by kind"),
    ("home.recent_audit", "最近操作", "Recent activity"),
    ("home.my_unit", "本单位", "My unit"),
    ("home.my_enterprise", "本企业", "My enterprise"),
    ("home.colleagues", "本单位用户", "Users of my unit"),
    ("home.towns", "镇乡(街道)", "Towns"),
    ("home.users", "用户数", "Users"),
    (
        "home.readonly",
        "领导账户为只读: 可查看全部数据, 不能修改。",
        "Leader accounts are read-only: they see everything and change nothing.",
    ),
    ("unit.name", "简称", "Short name"),
    ("unit.full_name", "全称", "Full name"),
    ("unit.kind", "类型", "Kind"),
    ("unit.region_code", "区划代码", "Region code"),
    ("unit.aliases", "别名", "Aliases"),
    ("unit.contact", "联络员", "Liaison"),
    ("unit.phone", "联系电话", "Phone"),
    ("unit.active", "启用", "Active"),
    ("unit.new", "登记单位", "Register a unit"),
    ("unit.edit", "修改登记信息", "Edit registry entry"),
    ("unit.contact_edit", "更新联络信息", "Update contact"),
    (
        "unit.aliases_hint",
        "多个别名用顿号或逗号分隔",
        "Separate aliases with commas",
    ),
    ("unit.search", "搜索单位", "Search units"),
    ("unit.all_kinds", "全部类型", "All kinds"),
    ("user.username", "用户名", "Username"),
    ("user.display_name", "姓名", "Name"),
    ("user.role", "角色", "Role"),
    ("user.unit", "所属单位", "Unit"),
    ("user.enterprise", "所属企业", "Enterprise"),
    ("user.phone", "电话", "Phone"),
    ("user.status", "状态", "Status"),
    ("user.locked", "已锁定", "Locked"),
    ("user.active", "正常", "Active"),
    ("user.new", "新建用户", "New user"),
    ("user.password", "初始密码", "Initial password"),
    ("user.reset_password", "重置密码", "Reset password"),
    ("user.lock", "锁定", "Lock"),
    ("user.unlock", "解锁", "Unlock"),
    (
        "user.password_rule",
        "至少8位, 含大写字母、小写字母、数字、符号中的三类",
        "At least 8 characters from three of: upper, lower, digit, symbol",
    ),
    ("account.change_password", "修改密码", "Change password"),
    ("account.current_password", "当前密码", "Current password"),
    ("account.new_password", "新密码", "New password"),
    (
        "account.confirm_password",
        "确认新密码",
        "Confirm new password",
    ),
    (
        "account.mismatch",
        "两次输入的新密码不一致",
        "The new passwords differ",
    ),
    (
        "account.wrong_current",
        "当前密码不正确",
        "The current password is wrong",
    ),
    ("account.changed", "密码已修改", "Password changed"),
    ("audit.seq", "序号", "Seq"),
    ("audit.at", "时间", "Time"),
    ("audit.actor", "操作人", "Who"),
    ("audit.action", "操作", "Action"),
    ("audit.entity", "对象", "Record"),
    ("audit.ip", "来源地址", "From"),
    ("audit.before", "修改前", "Before"),
    ("audit.after", "修改后", "After"),
    ("audit.verify", "校验哈希链", "Verify hash chain"),
    ("audit.verified", "哈希链完整", "Hash chain intact"),
    (
        "audit.broken",
        "哈希链断裂, 首个异常序号",
        "Hash chain broken at seq",
    ),
    ("audit.older", "更早", "Older"),
    ("audit.filter", "筛选", "Filter"),
    ("cal.day", "日期", "Date"),
    ("cal.kind", "类型", "Kind"),
    ("cal.holiday", "放假", "Holiday"),
    ("cal.workday", "调休上班", "Make-up workday"),
    ("cal.name", "名称", "Name"),
    ("cal.source", "依据", "Source"),
    ("cal.add", "添加或修改", "Add or change"),
    ("cal.delete", "删除", "Delete"),
    ("cal.year", "年度", "Year"),
    (
        "cal.empty",
        "本年度尚未录入放假安排。国务院办公厅通知发布后请在此录入。",
        "No holidays recorded for this year yet. Enter them when the State Council notice is published.",
    ),
    ("common.save", "保存", "Save"),
    ("common.cancel", "取消", "Cancel"),
    ("common.view", "查看", "View"),
    ("common.yes", "是", "Yes"),
    ("common.no", "否", "No"),
    ("common.none", "无", "None"),
    ("common.saved", "已保存", "Saved"),
    ("common.back", "返回", "Back"),
    (
        "err.forbidden",
        "无权访问该记录",
        "You may not access this record",
    ),
    ("err.not_found", "未找到", "Not found"),
    (
        "err.csrf",
        "表单已过期或来源不明 (CSRF 校验失败), 请刷新页面后重试",
        "The form expired or came from elsewhere (CSRF check failed); reload and retry",
    ),
    (
        "err.too_large",
        "提交的内容超过大小上限",
        "The request is larger than allowed",
    ),
    (
        "err.too_many_attempts",
        "从您所在的网络地址登录失败次数过多, 请稍后再试",
        "Too many failed sign-ins from this address; try again later",
    ),
    (
        "err.server",
        "服务器内部错误, 已记录",
        "Internal error; it has been logged",
    ),
];

/// Every module's strings; each module keeps its own table beside its pages.
const TABLES: &[&[(&str, &str, &str)]] = &[
    MESSAGES,
    crate::plans::MESSAGES,
    crate::monitor::MESSAGES,
    crate::bulletins::MESSAGES,
    crate::problems::MESSAGES,
    crate::enterprises::MESSAGES,
    crate::notices::MESSAGES,
];

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static TABLE: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        TABLES
            .iter()
            .flat_map(|t| t.iter())
            .map(|&(k, zh, en)| (k, (zh, en)))
            .collect()
    })
}

/// Looks up a UI string; an unknown key is shown as itself so a missing entry is visible.
pub fn t(lang: Lang, key: &str) -> &str {
    match table().get(key) {
        Some((zh, en)) => match lang {
            Lang::Zh => zh,
            Lang::En => en,
        },
        None => key,
    }
}

/// A number of minutes in the language: "15 分钟", "15 min".
pub fn minutes(lang: Lang, n: i64) -> String {
    match lang {
        Lang::Zh => format!("{n} 分钟后"),
        Lang::En => format!("in {n} min"),
    }
}

/// The translator handed to templates: `{{ t.get("nav.home") }}`.
#[derive(Debug, Clone, Copy)]
pub struct Tr(pub Lang);

impl Tr {
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        match table().get(key) {
            Some((zh, en)) => match self.0 {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => key,
        }
    }

    pub fn is_en(&self) -> bool {
        self.0 == Lang::En
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_both_languages_present() {
        let mut seen = std::collections::HashSet::new();
        for (k, zh, en) in TABLES.iter().flat_map(|t| t.iter()) {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!zh.is_empty() && !en.is_empty(), "{k} lacks a translation");
        }
        assert_eq!(t(Lang::Zh, "nav.home"), "首页");
        assert_eq!(t(Lang::En, "nav.home"), "Home");
    }
}
