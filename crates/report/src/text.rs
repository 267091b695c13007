//! The bulletin's content as a sequence of blocks — title, headings, generated sentences,
//! tables, charts — shared by the Word, HTML and plain-text renderings, so all three say the
//! same thing. [`plain`] is the reviewable text form (the golden file).

use crate::rank::RULE_ZH;
use crate::{BulletinKind, RankRow, Snapshot, Status, date_zh, fmt_change, fmt_num, fmt_pct};

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Title(String),
    DocNumber(String),
    /// 主送机关, ending in a full-width colon.
    Recipients(String),
    /// 一级标题 "一、总体情况" (黑体).
    H1(String),
    /// 二级标题 "（一）镇乡（街道）" (楷体).
    H2(String),
    Para(String),
    Table(Table),
    Chart(BarChart),
    Signature {
        issuer: String,
        date: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub text: String,
    /// A status cell is coloured.
    pub status: Option<Status>,
    /// Right-aligned.
    pub numeric: bool,
}

impl Cell {
    fn text(s: impl Into<String>) -> Self {
        Cell {
            text: s.into(),
            status: None,
            numeric: false,
        }
    }

    fn num(s: impl Into<String>) -> Self {
        Cell {
            text: s.into(),
            status: None,
            numeric: true,
        }
    }

    fn status(s: Status, label: impl Into<String>) -> Self {
        Cell {
            text: label.into(),
            status: Some(s),
            numeric: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    /// Relative column widths.
    pub widths: Vec<u32>,
    pub rows: Vec<Vec<Cell>>,
    /// A closing line under the table (totals).
    pub total: Option<String>,
}

/// A horizontal bar per indicator: completion, with the 序时进度 it is measured against.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub caption: String,
    pub bars: Vec<Bar>,
    /// The scale's right end (1.2 = 120%).
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub marker: f64,
    pub status: Status,
}

const CN_NUM: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

fn cn(n: usize) -> &'static str {
    CN_NUM.get(n.saturating_sub(1)).copied().unwrap_or("十")
}

/// 1—6月.
pub fn cumulative_label(end_month: u8) -> String {
    if end_month <= 1 {
        "1月".to_string()
    } else {
        format!("1—{end_month}月")
    }
}

/// The bulletin's title, by kind and period.
pub fn title(s: &Snapshot) -> String {
    match s.kind {
        BulletinKind::Monthly => {
            format!(
                "关于{}年{}工业强县主要指标完成情况的快报",
                s.year,
                cumulative_label(s.end_month)
            )
        }
        BulletinKind::Quarterly => {
            let q = usize::from(s.end_month.div_ceil(3));
            format!(
                "关于{}年第{}季度全县工业强县工作推进情况的通报",
                s.year,
                cn(q)
            )
        }
    }
}

/// 一、总体情况: the generated sentences.
pub fn overview(s: &Snapshot) -> Vec<String> {
    let (g, y, r, grey) = (
        s.count(Status::Green),
        s.count(Status::Yellow),
        s.count(Status::Red),
        s.count(Status::Grey),
    );
    let mut out = Vec::new();
    let mut first = format!(
        "截至{}年{}月底，全县工业强县{}项主要指标中，{}项达到序时进度，{}项滞后，{}项严重滞后",
        s.year,
        s.end_month,
        s.indicators.len(),
        g,
        y,
        r
    );
    let pending = s.count(Status::Pending);
    if pending > 0 {
        first.push_str(&format!("，{pending}项报送待审核"));
    }
    if grey > 0 {
        first.push_str(&format!("，{grey}项未报送"));
    }
    first.push_str(&format!(
        "。按月计算的序时进度为{}。",
        fmt_pct(Some(s.time_share))
    ));
    out.push(first);
    if s.pending_reports > 0 {
        out.push(format!(
            "本期印发时尚有{}份报送待审核，其数据未计入本期，审核后将在下期中更新。",
            s.pending_reports
        ));
    }

    for (status, lead) in [(Status::Red, "严重滞后"), (Status::Yellow, "滞后")] {
        let names: Vec<String> = s
            .indicators
            .iter()
            .filter(|i| i.status == status)
            .map(|i| {
                let unit = if i.lead_unit.is_empty() {
                    String::new()
                } else {
                    format!("，牵头单位{}", i.lead_unit)
                };
                format!(
                    "{}（完成率{}，序时进度{}{unit}）",
                    i.name,
                    fmt_pct(i.completion),
                    fmt_pct(Some(i.time_share))
                )
            })
            .collect();
        if !names.is_empty() {
            out.push(format!("{lead}的指标是：{}。", names.join("、")));
        }
    }
    out.push(task_sentence(s));
    if !s.revisions.is_empty() {
        let since = s.revisions_since.as_deref().unwrap_or("上期快报");
        out.push(format!(
            "{since}印发后，有{}项已审核数据作了更正，本期已按更正后的数据统计，详见“数据更正说明”。",
            s.revisions.len()
        ));
    }
    out
}

fn task_sentence(s: &Snapshot) -> String {
    let parts: Vec<String> = s
        .tasks
        .counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(label, n)| format!("{label}{n}项"))
        .collect();
    if parts.is_empty() {
        format!("{}项工作任务尚无进展报送。", s.tasks.total)
    } else {
        format!("{}项工作任务中，{}。", s.tasks.total, parts.join("，"))
    }
}

fn ranking_sentence(label: &str, rows: &[RankRow]) -> Option<String> {
    let first = rows.first()?;
    let tied: Vec<&str> = rows
        .iter()
        .filter(|r| r.rank == first.rank)
        .map(|r| r.unit.as_str())
        .collect();
    let mut s = if tied.len() > 3 {
        format!(
            "{label}中，{}等{}个单位并列第1",
            tied[..3].join("、"),
            tied.len()
        )
    } else {
        let top: Vec<&str> = rows.iter().take(3).map(|r| r.unit.as_str()).collect();
        format!("{label}中，{}位列前{}", top.join("、"), top.len())
    };
    if let Some(last) = rows
        .last()
        .filter(|l| rows.len() > 3 && l.rank > first.rank)
    {
        let bottom: Vec<&str> = rows
            .iter()
            .filter(|r| r.rank == last.rank)
            .map(|r| r.unit.as_str())
            .collect();
        s.push_str(&format!("，{}排名末位", bottom.join("、")));
    }
    if let Some(best) = rows
        .iter()
        .filter(|r| r.change.is_some_and(|c| c > 0))
        .max_by_key(|r| r.change)
    {
        s.push_str(&format!(
            "；较上期上升最多的是{}（{}）",
            best.unit,
            fmt_change(best.change)
        ));
    }
    s.push('。');
    Some(s)
}

/// "截至6月底，企业培育库在库企业N家；今年以来新增规上企业a家、个转企b家；入库c家，出库d家。"
fn cultivation_sentence(end_month: u8, c: &crate::CultivationSummary) -> String {
    let mut out = format!("截至{end_month}月底，企业培育库在库企业{}家", c.active);
    if !c.reached.is_empty() {
        let parts: Vec<String> = c.reached.iter().map(|(w, n)| format!("{w}{n}家")).collect();
        out.push_str(&format!("；今年以来{}", parts.join("、")));
    }
    out.push_str(&format!("；今年入库{}家，出库{}家。", c.entered, c.exited));
    out
}

fn rank_table(caption: &str, rows: &[RankRow]) -> Table {
    Table {
        caption: caption.to_string(),
        header: [
            "位次",
            "单位",
            "综合得分",
            "指标达序时",
            "任务正常",
            "按时报送",
            "平均提前(天)",
            "较上期",
        ]
        .map(String::from)
        .to_vec(),
        widths: vec![8, 22, 11, 12, 11, 13, 13, 10],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    Cell::num(r.rank.to_string()),
                    Cell::text(&r.unit),
                    Cell::num(format!("{:.1}", r.score)),
                    Cell::num(if r.indicators_led == 0 {
                        "—".into()
                    } else {
                        format!("{}/{}", r.indicators_on_track, r.indicators_led)
                    }),
                    Cell::num(if r.tasks_led == 0 {
                        "—".into()
                    } else {
                        format!("{}/{}", r.tasks_on_track, r.tasks_led)
                    }),
                    Cell::num(match (r.reports_owed, r.reports_late) {
                        (0, _) => "—".into(),
                        (owed, 0) => format!("{}/{owed}", r.reports_on_time),
                        (owed, late) => format!("{}/{owed}(逾期{late})", r.reports_on_time),
                    }),
                    Cell::num(
                        r.lead_days
                            .map_or_else(|| "—".into(), |d| format!("{d:.1}")),
                    ),
                    Cell::text(fmt_change(r.change)),
                ]
            })
            .collect(),
        total: None,
    }
}

/// 重大项目推进情况 in words: the library, the stages against the plan's targets, the
/// 亿元以上 开工率 and the year's investment.
fn project_paras(s: &Snapshot, p: &crate::ProjectSummary) -> Vec<String> {
    let target = |t: &Option<String>| {
        t.as_deref()
            .map(|t| format!("（目标{t}）"))
            .unwrap_or_default()
    };
    let stages: Vec<String> = p
        .stages
        .iter()
        .map(|c| format!("{}{}个{}", c.stage, c.count, target(&c.target)))
        .collect();
    let share = (p.planned_investment > 0.0).then(|| p.completed_investment / p.planned_investment);
    vec![
        format!(
            "截至{}月底，{}年重大项目库共有项目{}个，其中亿元以上项目{}个。本年累计{}。",
            s.end_month,
            s.year,
            p.total,
            p.major,
            stages.join("，")
        ),
        format!(
            "亿元以上项目计划年内开工{}个，已开工{}个，开工率{}{}；年度计划投资{}亿元，累计完成{}亿元，完成年度计划的{}。{}",
            p.major_planned_to_start,
            p.major_started,
            fmt_pct(p.start_rate),
            target(&p.start_rate_target),
            fmt_num(p.planned_investment),
            fmt_num(p.completed_investment),
            fmt_pct(share),
            if p.lagging.is_empty() {
                "暂无滞后或预警项目。".to_string()
            } else {
                format!("滞后或预警项目{}个（见表）。", p.lagging.len())
            }
        ),
    ]
}

/// The lagging and alerted projects as a short table.
fn project_lag_table(number: usize, p: &crate::ProjectSummary) -> Table {
    Table {
        caption: format!("表{number}  滞后及预警重大项目"),
        header: ["序号", "项目名称", "责任单位", "阶段", "投资完成率", "问题"]
            .map(String::from)
            .to_vec(),
        widths: vec![8, 30, 16, 10, 14, 22],
        rows: p
            .lagging
            .iter()
            .enumerate()
            .map(|(n, l)| {
                vec![
                    Cell::num((n + 1).to_string()),
                    Cell::text(&l.name),
                    Cell::text(&l.unit),
                    Cell::text(&l.stage),
                    Cell::num(fmt_pct(l.completion)),
                    Cell::text(&l.issues),
                ]
            })
            .collect(),
        total: None,
    }
}

/// The whole bulletin as blocks, in reading order.
pub fn blocks(s: &Snapshot) -> Vec<Block> {
    let mut b = vec![
        Block::DocNumber(s.doc_number.clone()),
        Block::Title(title(s)),
        Block::Recipients(format!("{}：", s.recipients.trim_end_matches(['：', ':']))),
    ];
    let mut section = 0usize;
    let mut h1 = |b: &mut Vec<Block>, text: &str| {
        section += 1;
        b.push(Block::H1(format!("{}、{text}", cn(section))));
    };

    h1(&mut b, "总体情况");
    b.extend(overview(s).into_iter().map(Block::Para));

    h1(&mut b, "主要指标完成情况");
    let cum = cumulative_label(s.end_month);
    b.push(Block::Table(Table {
        caption: format!("表1  {}年{cum}主要指标完成情况", s.year),
        header: vec![
            "指标".into(),
            "单位".into(),
            "年度目标".into(),
            format!("{cum}累计"),
            "完成率".into(),
            "序时进度".into(),
            "状态".into(),
        ],
        widths: vec![23, 8, 10, 14, 12, 12, 19],
        rows: s
            .indicators
            .iter()
            .map(|i| {
                vec![
                    Cell::text(&i.name),
                    Cell::text(&i.unit),
                    Cell::num(&i.target),
                    Cell::num(i.actual_text()),
                    Cell::num(fmt_pct(i.completion)),
                    Cell::num(fmt_pct(Some(i.time_share))),
                    Cell::status(i.status, i.status.label_zh()),
                ]
            })
            .collect(),
        total: Some(format!(
            "合计{}项：达到序时进度{}项，滞后{}项，严重滞后{}项，待审核{}项，未报送{}项。",
            s.indicators.len(),
            s.count(Status::Green),
            s.count(Status::Yellow),
            s.count(Status::Red),
            s.count(Status::Pending),
            s.count(Status::Grey)
        )),
    }));
    let bars: Vec<Bar> = s
        .indicators
        .iter()
        .filter_map(|i| {
            Some(Bar {
                label: i.name.clone(),
                value: i.completion?,
                marker: i.time_share,
                status: i.status,
            })
        })
        .collect();
    if !bars.is_empty() {
        b.push(Block::Chart(BarChart {
            caption: "图1  主要指标完成率与序时进度（竖线为序时进度）".into(),
            bars,
            max: 1.2,
        }));
    }

    h1(&mut b, "任务推进情况");
    b.push(Block::Para(task_sentence(s)));
    if s.tasks.lagging.is_empty() {
        b.push(Block::Para("本期没有进度滞后、超期或停滞的任务。".into()));
    } else {
        b.push(Block::Para(format!(
            "进度滞后、超期或停滞的任务共{}项，请牵头单位加快推进：",
            s.tasks.lagging.len()
        )));
        b.push(Block::Table(Table {
            caption: "表2  进度滞后、超期和停滞的任务".into(),
            header: ["编号", "任务", "牵头单位", "状态", "最新进展"]
                .map(String::from)
                .to_vec(),
            widths: vec![16, 26, 14, 10, 34],
            rows: s
                .tasks
                .lagging
                .iter()
                .map(|t| {
                    vec![
                        Cell::text(&t.number),
                        Cell::text(&t.title),
                        Cell::text(&t.lead_units),
                        Cell::status(t.status, &t.state),
                        Cell::text(if t.progress.is_empty() {
                            "未报送进展"
                        } else {
                            &t.progress
                        }),
                    ]
                })
                .collect(),
            total: None,
        }));
    }

    h1(&mut b, "镇乡（街道）和部门排名");
    b.push(Block::Para(format!("{RULE_ZH}。")));
    b.push(Block::H2("（一）镇乡（街道）".into()));
    b.extend(ranking_sentence("镇乡（街道）", &s.towns).map(Block::Para));
    if s.towns.is_empty() {
        b.push(Block::Para("本期暂无镇乡（街道）排名数据。".into()));
    } else {
        b.push(Block::Table(rank_table("表3  镇乡（街道）排名", &s.towns)));
    }
    b.push(Block::H2("（二）部门".into()));
    b.extend(ranking_sentence("县级部门", &s.departments).map(Block::Para));
    if s.departments.is_empty() {
        b.push(Block::Para("本期暂无部门排名数据。".into()));
    } else {
        b.push(Block::Table(rank_table("表4  部门排名", &s.departments)));
    }

    h1(&mut b, "企业难题办理情况");
    b.push(Block::Para(match &s.problems {
        Some(p) => format!(
            "截至{}月底，共受理企业难题{}件，已答复{}件，答复率{}；已解决{}件，解决率{}；满意率{}；超期未答复{}件。",
            s.end_month,
            p.received,
            p.answered,
            fmt_pct(p.answer_rate),
            p.resolved,
            fmt_pct(p.resolve_rate),
            fmt_pct(p.satisfaction_rate),
            p.overdue
        ),
        None => "本期暂无企业难题办理数据。".into(),
    }));

    h1(&mut b, "重大项目推进情况");
    let mut next_table = 5;
    match &s.projects {
        Some(p) => {
            b.extend(project_paras(s, p).into_iter().map(Block::Para));
            if !p.lagging.is_empty() {
                b.push(Block::Table(project_lag_table(next_table, p)));
                next_table += 1;
            }
        }
        None => b.push(Block::Para("本期暂无重大项目推进数据。".into())),
    }

    if let Some(c) = &s.cultivation {
        h1(&mut b, "企业培育情况");
        b.push(Block::Para(cultivation_sentence(s.end_month, c)));
    }

    if !s.revisions.is_empty() {
        h1(&mut b, "数据更正说明");
        b.push(Block::Table(Table {
            caption: format!(
                "表{next_table}  {}印发后更正的数据",
                s.revisions_since.as_deref().unwrap_or("上期快报")
            ),
            header: ["指标", "单位", "月份", "原数据", "更正后"]
                .map(String::from)
                .to_vec(),
            widths: vec![34, 10, 16, 20, 20],
            rows: s
                .revisions
                .iter()
                .map(|r| {
                    vec![
                        Cell::text(&r.indicator),
                        Cell::text(&r.unit),
                        Cell::text(format!("{}累计", cumulative_label(r.month))),
                        Cell::num(r.before.map(fmt_num).unwrap_or_else(|| "—".into())),
                        Cell::num(r.after.map(fmt_num).unwrap_or_else(|| "—".into())),
                    ]
                })
                .collect(),
            total: None,
        }));
    }

    b.push(Block::Signature {
        issuer: s.issuer.clone(),
        date: date_zh(&s.issued_on),
    });
    b
}

/// 版记: (抄送 line, 印发 line).
pub fn colophon(s: &Snapshot) -> (String, String) {
    (
        format!("抄送：{}。", s.copy_to.trim_end_matches('。')),
        format!("{}  {}印发", s.issuer, date_zh(&s.issued_on)),
    )
}

/// The bulletin as plain text: one line per paragraph, tables as `|`-separated rows.
pub fn plain(s: &Snapshot) -> String {
    let mut out = String::new();
    for block in blocks(s) {
        match block {
            Block::Title(t) => out.push_str(&format!("{t}\n\n")),
            Block::DocNumber(t) | Block::Recipients(t) | Block::H1(t) | Block::H2(t) => {
                out.push_str(&format!("{t}\n"))
            }
            Block::Para(t) => out.push_str(&format!("    {t}\n")),
            Block::Table(t) => {
                out.push_str(&format!("{}\n", t.caption));
                out.push_str(&format!("| {} |\n", t.header.join(" | ")));
                for row in &t.rows {
                    let cells: Vec<&str> = row.iter().map(|c| c.text.as_str()).collect();
                    out.push_str(&format!("| {} |\n", cells.join(" | ")));
                }
                if let Some(total) = &t.total {
                    out.push_str(&format!("{total}\n"));
                }
            }
            Block::Chart(c) => {
                out.push_str(&format!("{}\n", c.caption));
                for bar in &c.bars {
                    let n = ((bar.value.clamp(0.0, c.max) / c.max) * 24.0).round() as usize;
                    out.push_str(&format!(
                        "{:<24} {} {}\n",
                        "█".repeat(n),
                        fmt_pct(Some(bar.value)),
                        bar.label
                    ));
                }
            }
            Block::Signature { issuer, date } => out.push_str(&format!("\n{issuer}\n{date}\n")),
        }
    }
    let (cc, printed) = colophon(s);
    out.push_str(&format!("\n{cc}\n{printed}\n"));
    out
}
