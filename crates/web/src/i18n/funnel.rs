//! Strings of the 招商 funnel page (`crate::projects::funnel`): key, 中文, English.

pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("pj.f.title", "招商项目漏斗分析", "Investment funnel"),
    ("pj.f.link", "漏斗分析", "Funnel"),
    (
        "pj.f.hint",
        "项目按实际到达的阶段计数(中止项目计入中止前到达的阶段); 线索→签约为线索所转项目已签约的比例; 中位天数为相邻两阶段实际日期之差的中位数。",
        "A project counts at every stage it actually reached (a halted one at those reached before it was halted); 线索→签约 is the share of leads whose project signed; median days are between the actual dates of two stages.",
    ),
    ("pj.f.year", "年度", "Year"),
    ("pj.f.all_years", "全部年度", "All years"),
    ("pj.f.show", "查看", "Show"),
    ("pj.f.dimension", "分组方式", "Grouped by"),
    ("pj.f.group", "分组", "Group"),
    ("pj.f.leads", "线索", "Leads"),
    ("pj.f.halted", "其中中止", "Of which halted"),
    ("pj.f.total", "合计", "Total"),
    ("pj.f.unnamed", "未填", "Not given"),
    ("pj.f.rate_lead", "线索→签约", "Lead → signed"),
    ("pj.f.rate_signed", "签约→注册", "Signed → registered"),
    ("pj.f.rate_registered", "注册→开工", "Registered → started"),
    ("pj.f.rate_started", "开工→投产", "Started → producing"),
    ("pj.f.rates", "转化率", "Conversion"),
    ("pj.f.days", "中位天数", "Median days"),
    ("pj.f.empty", "暂无项目或线索", "No projects or leads yet"),
    ("pj.f.chart", "招商漏斗(合计)", "Funnel (total)"),
];
