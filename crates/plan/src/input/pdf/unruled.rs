//! Task tables a PDF prints without rules (an invisible table, or Word's table with its
//! borders off), found among a page's rows of text by their header line (`序号 工作任务 责任单位
//! 完成时限`, or a header over two rows): the gaps between the header's cells part the
//! columns, the space between rows (cell padding) or else each row's 序号 parts the rows, and
//! a table running to the foot of a page goes on at the top of the next in the same columns.

use super::{EDGE, Run, join_runs, row_number};
use crate::input::table;

/// Task table headers looked for tables under on a page, at the most.
const MAX_PAGE_TABLE_HEADERS: usize = 50;

/// A table's rows of cells, with the height of its top on the page.
pub(super) type PlacedTable = (f32, Vec<Vec<String>>);

/// A cell of a row of text: where it stands across the page, and what it says.
#[derive(Clone)]
pub(super) struct Span {
    x: f32,
    end: f32,
    text: String,
}

/// A row's runs as cells: a gap wider than most of a character parts two (as in `join_runs`).
fn spans(row: &[Run]) -> Vec<Span> {
    let mut runs: Vec<&Run> = row.iter().collect();
    runs.sort_by(|a, b| a.x.total_cmp(&b.x));
    let mut out: Vec<Span> = Vec::new();
    for run in runs {
        match out.last_mut() {
            Some(cell) if run.x - cell.end <= run.size * 0.8 => {
                cell.end = cell.end.max(run.end);
                cell.text.push_str(&run.text);
            }
            _ => out.push(Span {
                x: run.x,
                end: run.end,
                text: run.text.clone(),
            }),
        }
    }
    out
}

/// The tables among a page's rows of text that are drawn without rules, each with its top;
/// the rows left are those of no such table. See [`unruled_table`]. `carry` is the header of
/// such a table that ran to the foot of the page before: the rows at the top of this page go
/// on with it when they fit its columns. Also gives the header of the table that runs to the
/// foot of this page, with the height of its last line.
pub(super) fn unruled_tables(rows: Vec<Vec<Run>>, carry: Option<&[Span]>) -> Unruled {
    let mut tables = Vec::new();
    let mut taken = vec![false; rows.len()];
    let mut at = 0;
    let mut headers = 0;
    let mut open = None;
    // (A page that prints the header again starts the table again: see the loop below.)
    if let Some(header) = carry
        && rows
            .first()
            .is_none_or(|_| task_table_header(&rows, 0).is_none())
        && let Some((end, table)) = unruled_table(&rows, 0, header)
    {
        tables.push((rows[0][0].y + 1.0, table));
        taken[..end].fill(true);
        if end == rows.len() {
            open = Some((header.to_vec(), rows[end - 1][0].y));
        }
        at = end;
    }
    while at < rows.len() {
        let Some((header, lines)) = task_table_header(&rows, at) else {
            at += 1;
            continue;
        };
        // Each header costs a pass over the lines below it; a page of nothing but headers
        // is no plan's.
        headers += 1;
        if headers > MAX_PAGE_TABLE_HEADERS {
            break;
        }
        match unruled_table(&rows, at + lines, &header) {
            Some((end, table)) => {
                tables.push((rows[at][0].y, table));
                taken[at..end].fill(true);
                if end == rows.len() {
                    open = Some((header, rows[end - 1][0].y));
                }
                at = end;
            }
            None => at += 1,
        }
    }
    let rest = rows
        .into_iter()
        .zip(taken)
        .filter_map(|(row, taken)| (!taken).then_some(row))
        .collect();
    Unruled { rest, tables, open }
}

/// A page's rows of text with its tables without rules taken out (`unruled_tables`).
pub(super) struct Unruled {
    /// The rows in no such table.
    pub(super) rest: Vec<Vec<Run>>,
    pub(super) tables: Vec<PlacedTable>,
    /// The header of the table that runs to the foot of the page, and its last line's height.
    pub(super) open: Option<(Vec<Span>, f32)>,
}

/// The header of a task table drawn without rules starting at row `at`, and how many lines it
/// takes: one line such as `序号 工作任务 责任单位 完成时限` (what `table::flat_header` takes for
/// one), or a header over two rows, whose lower row parts a cell of the upper one
/// (`责任单位` over `牵头单位 配合单位`) while the cells beside it stand on either row or,
/// centred, between the two. Its columns are then the lower cells and the cells beside them.
fn task_table_header(rows: &[Vec<Run>], at: usize) -> Option<(Vec<Span>, usize)> {
    let names = |cells: &[Span]| {
        let names: Vec<String> = cells.iter().map(|s| s.text.clone()).collect();
        table::flat_header(&names.join("\t")).is_some_and(|cols| cols.len() == cells.len())
    };
    let first = spans(rows.get(at)?);
    if names(&first) {
        return Some((first, 1));
    }
    // The lower row: names of units, deadlines or figures only, close under the upper lines.
    let size = rows[at].iter().map(|r| r.size).fold(0.0, f32::max);
    let short = |cells: &[Span]| cells.iter().all(|c| c.text.chars().count() <= 8);
    let mut upper = first;
    for lines in 2..=3 {
        let row = rows.get(at + lines - 1)?;
        if rows[at + lines - 2][0].y - row[0].y > size * 2.5 || !short(&upper) {
            return None;
        }
        let lower = spans(row);
        if lower.len() >= 2 && lower.iter().all(|c| table::sub_header_word(&c.text)) {
            // An upper cell is over lower ones when its middle lies among theirs.
            let first_mid = (lower[0].x + lower[0].end) / 2.0;
            let last = &lower[lower.len() - 1];
            let last_mid = (last.x + last.end) / 2.0;
            let mut cells: Vec<Span> = upper
                .into_iter()
                .filter(|c| !(first_mid..=last_mid).contains(&((c.x + c.end) / 2.0)))
                .chain(lower)
                .collect();
            cells.sort_by(|a, b| a.x.total_cmp(&b.x));
            return names(&cells).then_some((cells, lines));
        }
        upper.extend(lower);
        upper.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    None
}

/// A task table drawn without rules whose header is `header` and whose rows start at `from`
/// (the line under the header, or the top of the page it goes on to): a header line such as
/// `序号 工作任务 责任单位 完成时限` (what `table::flat_header` takes for one). Each column's
/// text lies between the gaps that part the header's cells, so the lines below are the
/// table's while no run of theirs runs across such a gap (prose does), and a cell is the text
/// of its column within its row, however many lines it wraps over. The 序号 of a row may
/// stand anywhere in its height (Word centres it), so rows are told apart by the space
/// between them (cell padding) where there is any, and else each starts at its 序号. A block
/// of lines with no 序号 is a category row when its text is one short cell, and else ends the
/// table (a category with no row under it is left to the text). Returns where the table ends
/// and its rows, header first.
fn unruled_table(
    rows: &[Vec<Run>],
    from: usize,
    header: &[Span],
) -> Option<(usize, Vec<Vec<String>>)> {
    let names: Vec<String> = header.iter().map(|s| s.text.clone()).collect();
    let gaps: Vec<(f32, f32)> = header.windows(2).map(|w| (w[0].end, w[1].x)).collect();
    let crosses = |run: &Run| {
        gaps.iter()
            .any(|&(a, b)| run.x < a - EDGE && run.end > b + EDGE)
    };
    let size_of = |row: &[Run]| row.iter().map(|r| r.size).fold(0.0, f32::max);
    let mut end = from;
    while let Some(row) = rows.get(end) {
        let far = end.checked_sub(1).is_some_and(|above| {
            rows[above][0].y - row[0].y > size_of(row).max(size_of(&rows[above])) * 3.5
        });
        if far || row.iter().any(crosses) {
            break;
        }
        end += 1;
    }
    let body = &rows[from..end];
    // Each column's left edge: where the leftmost of its cells' lines that reach past its
    // header's start begins (cells are aligned left or centred, and the header is centred
    // over them; a line starting past the header's end is the next column's).
    let cells: Vec<Span> = body.iter().flat_map(|line| spans(line)).collect();
    let gutters: Vec<f32> = gaps
        .iter()
        .zip(&header[1..])
        .map(|(&(a, b), next)| {
            cells
                .iter()
                .filter(|c| c.end > b && c.x > a - EDGE && c.x < next.end)
                .map(|c| c.x)
                .reduce(f32::min)
                .unwrap_or((a + b) / 2.0)
        })
        .collect();
    let column = |run: &Run| gutters.iter().filter(|&&g| run.x + EDGE >= g).count();
    let numbered = |line: &[Run]| line.iter().any(|r| column(r) == 0 && row_number(&r.text));
    // Blocks of lines set apart by more than a cell's line pitch (the least step between two
    // lines of one column; lines of cells centred beside each other interleave closer).
    let pitch = (0..header.len())
        .filter_map(|c| {
            let ys: Vec<f32> = body
                .iter()
                .filter(|line| line.iter().any(|r| column(r) == c))
                .map(|line| line[0].y)
                .collect();
            ys.windows(2)
                .map(|w| w[0] - w[1])
                .filter(|d| *d > 0.0)
                .reduce(f32::min)
        })
        .reduce(f32::min)
        .unwrap_or(f32::MAX);
    let mut blocks: Vec<Vec<&[Run]>> = Vec::new();
    for (k, line) in body.iter().enumerate() {
        let apart = k > 0 && body[k - 1][0].y - line[0].y > pitch * 1.15;
        match blocks.last_mut() {
            Some(block) if !apart => block.push(line),
            _ => blocks.push(vec![line]),
        }
    }
    let mut table = vec![names];
    // Lines taken so far; rows and lines up to the last numbered row.
    let mut used = 0;
    let (mut rows_used, mut lines_used) = (1, 0);
    for block in blocks {
        // Within a block, a row starts at its 序号; text that starts in the 序号 column and
        // is no number is a row across the table (a category), a row of its own.
        let mut table_rows: Vec<Vec<&[Run]>> = Vec::new();
        let mut open = false;
        for line in &block {
            let across = !numbered(line) && line.iter().all(|r| column(r) == 0);
            match table_rows.last_mut() {
                Some(row)
                    if open && !across && (!numbered(line) || !row.iter().any(|l| numbered(l))) =>
                {
                    row.push(line)
                }
                _ => table_rows.push(vec![line]),
            }
            open = !across;
        }
        let category = |row: &[&[Run]]| {
            let runs: Vec<&Run> = row.iter().copied().flatten().collect();
            let text: String = runs.iter().map(|r| r.text.trim()).collect();
            // 类别 rows: `产业培育`, or numbered as the plan's headings (`二、项目建设`).
            let heading =
                text.chars().count() <= 20 && crate::marker::parse_marker(&text).is_some();
            runs.iter().all(|r| column(r) == column(runs[0]))
                && (table::short_label(&text) || heading)
        };
        // On the page a table goes on to, its first row may be the rest of the row above.
        let top_of_page = from == 0 && used == 0;
        let rest_of_row = |k: usize| top_of_page && k == 0;
        if !table_rows
            .iter()
            .enumerate()
            .all(|(k, row)| row.iter().any(|l| numbered(l)) || category(row) || rest_of_row(k))
        {
            break;
        }
        for (k, row) in table_rows.into_iter().enumerate() {
            let mut cells: Vec<Vec<Run>> = (0..header.len()).map(|_| Vec::new()).collect();
            for run in row.iter().copied().flatten() {
                cells[column(run)].push(run.clone());
            }
            table.push(cells.into_iter().map(|c| join_runs(c, false).0).collect());
            if row.iter().any(|l| numbered(l)) || rest_of_row(k) {
                (rows_used, lines_used) = (table.len(), used + row.len());
            }
            used += row.len();
        }
    }
    // Up to the last numbered row: a category after it names no row.
    table.truncate(rows_used);
    (rows_used > 1).then_some((from + lines_used, table))
}

#[cfg(test)]
mod tests {
    use super::super::tests::run;
    use super::{Unruled, unruled_tables};

    #[test]
    fn a_table_without_rules_reads_by_the_gaps_of_its_header() {
        // No padding and the numbers at the top of their rows: rows start at their 序号.
        let rows = vec![
            vec![run(40.0, 760.0, "任务分解表")],
            vec![
                run(60.0, 700.0, "序号"),
                run(200.0, 700.0, "工作任务"),
                run(380.0, 700.0, "责任单位"),
            ],
            vec![
                run(60.0, 684.0, "1"),
                run(100.0, 684.0, "新增规上工业企业40家以上，推动"),
                run(370.0, 684.0, "县经信局"),
            ],
            vec![run(100.0, 668.0, "小微企业升级")],
            // A category row numbered as a heading of the plan.
            vec![run(60.0, 652.0, "二、项目建设")],
            vec![
                run(60.0, 636.0, "2."),
                run(100.0, 636.0, "完成工业投资50亿元"),
                run(370.0, 636.0, "县发改局"),
            ],
            // A label with no row under it is the text's, and prose across the columns ends
            // the table.
            vec![run(60.0, 620.0, "保障措施")],
            vec![run(60.0, 604.0, "以上任务请各单位认真落实，确保按期完成。")],
        ];
        let Unruled { rest, tables, .. } = unruled_tables(rows, None);
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            tables,
            [(
                700.0,
                vec![
                    row(&["序号", "工作任务", "责任单位"]),
                    row(&[
                        "1",
                        "新增规上工业企业40家以上，推动小微企业升级",
                        "县经信局"
                    ]),
                    row(&["二、项目建设", "", ""]),
                    row(&["2.", "完成工业投资50亿元", "县发改局"]),
                ]
            )]
        );
        let rest: Vec<&str> = rest.iter().map(|r| r[0].text.as_str()).collect();
        assert_eq!(
            rest,
            [
                "任务分解表",
                "保障措施",
                "以上任务请各单位认真落实，确保按期完成。"
            ]
        );
        // A header alone, or a line of cells that is not a task table's header, is no table.
        let Unruled { rest, tables, .. } = unruled_tables(
            vec![vec![
                run(60.0, 700.0, "姓名"),
                run(200.0, 700.0, "职务"),
                run(380.0, 700.0, "电话"),
            ]],
            None,
        );
        assert!(tables.is_empty());
        assert_eq!(rest.len(), 1);
    }

    #[test]
    fn a_table_without_rules_goes_on_overleaf_in_its_columns() {
        let header = vec![
            run(60.0, 700.0, "序号"),
            run(200.0, 700.0, "工作任务"),
            run(380.0, 700.0, "责任单位"),
        ];
        let first = unruled_tables(
            vec![
                header,
                vec![
                    run(64.0, 684.0, "1"),
                    run(100.0, 684.0, "推进第1个重点技改项目，完成投资"),
                    run(370.0, 684.0, "县经信局"),
                ],
            ],
            None,
        );
        let Some((carry, _)) = first.open else {
            panic!("the table runs to the foot of the page");
        };
        // Overleaf: the rest of row 1 (starting with a figure, in the task's column), then
        // row 2 with its number in the middle of its height.
        let next = unruled_tables(
            vec![
                vec![run(100.0, 780.0, "23"), run(124.0, 780.0, "亿元以上")],
                vec![run(100.0, 764.0, "化车间改造")],
                vec![run(100.0, 740.0, "完成工业投资50亿元，其中技术改造投资增")],
                vec![run(64.0, 732.0, "2"), run(370.0, 732.0, "县发改局")],
                vec![run(100.0, 724.0, "长10%以上")],
            ],
            Some(&carry),
        );
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert!(next.rest.is_empty());
        assert_eq!(
            next.tables[0].1,
            [
                row(&["序号", "工作任务", "责任单位"]),
                row(&["", "23亿元以上化车间改造", ""]),
                row(&[
                    "2",
                    "完成工业投资50亿元，其中技术改造投资增长10%以上",
                    "县发改局"
                ]),
            ]
        );
        assert!(next.open.is_some());
    }
}
