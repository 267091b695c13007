//! Saved web pages → paragraphs and tables. A small tolerant tag scanner: government sites
//! publish hand-made, often invalid HTML, so this never fails; it drops scripts, styles,
//! navigation and forms, decodes entities, and tells data tables from layout tables.

use super::Block;

/// Elements whose whole content is dropped.
const SKIP: &[&str] = &[
    "script", "style", "head", "noscript", "iframe", "object", "svg", "template", "select",
    "button", "nav", "footer", "textarea", "map",
];

/// Elements that start or end a paragraph.
const BREAK: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "blockquote",
    "pre",
    "hr",
    "center",
    "form",
    "dl",
    "dt",
    "dd",
    "title",
    "caption",
    "main",
    "aside",
];

enum Container {
    Root(Vec<Block>),
    /// rows → cells
    Table(Vec<Vec<HtmlCell>>),
}

/// A table cell as written: its blocks and how many rows and columns it spans.
struct HtmlCell {
    blocks: Vec<Block>,
    rows: usize,
    cols: usize,
}

/// The most rows or columns one cell may span, the most columns of a table's grid, and the
/// longest text a spanning cell repeats in the rows below (a 类别 or a 责任单位 list, not a
/// paragraph): enough for any plan's table, and bounds on what hostile spans can make us
/// allocate (`rowspan="99999999"`, a megabyte of text spanning every row).
const MAX_SPAN: usize = 200;
pub(super) const MAX_GRID_COLS: usize = 64;
const MAX_REPEATED_CHARS: usize = 200;

struct Builder {
    stack: Vec<Container>,
    para: String,
}

impl Builder {
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.para);
        let text = text.trim_matches(crate::text::is_space);
        if text.is_empty() {
            return;
        }
        let block = Block::Para(text.to_owned());
        self.push_block(block);
    }

    fn push_block(&mut self, block: Block) {
        match self.stack.last_mut() {
            Some(Container::Table(rows)) => {
                if rows.is_empty() {
                    rows.push(Vec::new());
                }
                if let Some(row) = rows.last_mut() {
                    if row.is_empty() {
                        row.push(HtmlCell::new(""));
                    }
                    if let Some(cell) = row.last_mut() {
                        cell.blocks.push(block);
                    }
                }
            }
            Some(Container::Root(blocks)) => blocks.push(block),
            None => {}
        }
    }

    fn start_table(&mut self) {
        self.flush();
        self.stack.push(Container::Table(Vec::new()));
    }

    fn end_table(&mut self) {
        self.flush();
        if self.stack.len() < 2 {
            return;
        }
        if let Some(Container::Table(rows)) = self.stack.pop() {
            for block in finish_table(rows) {
                self.push_block(block);
            }
        }
    }

    fn new_row(&mut self) {
        self.flush();
        if let Some(Container::Table(rows)) = self.stack.last_mut() {
            rows.push(Vec::new());
        }
    }

    fn new_cell(&mut self, tag: &str) {
        self.flush();
        if let Some(Container::Table(rows)) = self.stack.last_mut() {
            if rows.is_empty() {
                rows.push(Vec::new());
            }
            if let Some(row) = rows.last_mut() {
                row.push(HtmlCell::new(tag));
            }
        }
    }
}

impl HtmlCell {
    /// A cell opened by `tag` (`td rowspan="2"`).
    fn new(tag: &str) -> HtmlCell {
        HtmlCell {
            blocks: Vec::new(),
            rows: span(tag, "rowspan"),
            cols: span(tag, "colspan"),
        }
    }
}

/// The value of a `rowspan`/`colspan` attribute, 1 when absent or unreadable.
fn span(tag: &str, name: &str) -> usize {
    let lower = tag.to_ascii_lowercase();
    let Some(at) = lower.find(name) else {
        return 1;
    };
    let digits: String = lower[at + name.len()..]
        .trim_start_matches([' ', '=', '"', '\''])
        .chars()
        .take_while(char::is_ascii_digit)
        .take(6)
        .collect();
    digits.parse::<usize>().unwrap_or(1).clamp(1, MAX_SPAN)
}

/// Cells placed on the table's grid, each given as (text, rows spanned, columns spanned): a cell
/// spanning rows repeats its text in the rows below (one 类别 or 责任单位 for several tasks, as a
/// merged cell of a .docx does); one spanning columns leaves the columns it covers empty. The
/// .docx reader places its cells here too.
pub(super) fn grid(rows: Vec<Vec<(String, usize, usize)>>) -> Vec<Vec<String>> {
    // The grid may hold a few times the cells written (a 类别 over ten rows), not more: spans
    // past that budget are read as single cells, so `<td colspan=64>` a row cannot multiply
    // a page's cells without bound.
    let written: usize = rows.iter().map(Vec::len).sum();
    let mut budget = written.saturating_mul(4).max(4096);
    // …and the text repeated under cells spanning rows a few times the text written.
    let text_bytes: usize = rows.iter().flatten().map(|(t, _, _)| t.len()).sum();
    let mut repeat_budget = text_bytes.saturating_mul(4).max(1 << 20);
    // Per column: the text a cell above still covers, and for how many more rows.
    let mut above: Vec<Option<(String, usize)>> = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let mut line: Vec<String> = Vec::new();
        let mut cells = row.into_iter();
        let mut col = 0;
        loop {
            if let Some(Some((text, left))) = above.get_mut(col) {
                line.push(text.clone());
                *left -= 1;
                if *left == 0 {
                    above[col] = None;
                }
                col += 1;
                continue;
            }
            let Some((text, down, across)) = cells.next() else {
                break;
            };
            let mut across = across.min(MAX_GRID_COLS.saturating_sub(col));
            if across == 0 {
                break;
            }
            let mut down = down;
            match budget.checked_sub(across * down) {
                Some(left) => budget = left,
                None => (across, down) = (1, 1),
            }
            let repeat_cost = text.len().saturating_mul(down - 1);
            let repeated = if text.chars().count() <= MAX_REPEATED_CHARS
                && let Some(left) = repeat_budget.checked_sub(repeat_cost)
            {
                repeat_budget = left;
                text.clone()
            } else {
                String::new()
            };
            if above.len() < col + across {
                above.resize(col + across, None);
            }
            for k in 0..across {
                if down > 1 {
                    let again = if k == 0 {
                        repeated.clone()
                    } else {
                        String::new()
                    };
                    above[col + k] = Some((again, down - 1));
                }
            }
            line.push(text);
            line.extend(std::iter::repeat_n(String::new(), across - 1));
            col += across;
        }
        out.push(line);
    }
    out
}

/// A data table has no nested tables, at least two columns and short cells; anything else is
/// page layout and its cells become ordinary paragraphs.
fn finish_table(rows: Vec<Vec<HtmlCell>>) -> Vec<Block> {
    let rows: Vec<Vec<HtmlCell>> = rows.into_iter().filter(|r| !r.is_empty()).collect();
    let nested = rows
        .iter()
        .flatten()
        .flat_map(|cell| &cell.blocks)
        .any(|b| matches!(b, Block::Table(_)));
    let max_cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let long_cell = rows.iter().flatten().any(|cell| cell.blocks.len() > 6);
    if nested || max_cols < 2 || long_cell {
        return rows
            .into_iter()
            .flatten()
            .flat_map(|cell| cell.blocks)
            .collect();
    }
    let cells = rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|cell| {
                    let text = cell
                        .blocks
                        .into_iter()
                        .filter_map(|b| match b {
                            Block::Para(p) => Some(p),
                            Block::Table(_) => None,
                        })
                        .collect::<Vec<_>>()
                        .join("\n");
                    (text, cell.rows, cell.cols)
                })
                .collect()
        })
        .collect();
    vec![Block::Table(grid(cells))]
}

pub(crate) fn blocks(html: &str) -> Vec<Block> {
    let mut b = Builder {
        stack: vec![Container::Root(Vec::new())],
        para: String::new(),
    };
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut b.para, rest);
            break;
        };
        push_text(&mut b.para, &rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        let Some(gt) = tag_end(rest) else {
            // A stray '<' in text.
            push_text(&mut b.para, "<");
            rest = &rest[1..];
            continue;
        };
        let tag = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if !closing && SKIP.contains(&name.as_str()) && !tag.ends_with('/') {
            rest = skip_element(rest, &name);
            continue;
        }
        match (name.as_str(), closing) {
            ("table", false) => b.start_table(),
            ("table", true) => b.end_table(),
            ("tr", false) => b.new_row(),
            ("td" | "th", false) => b.new_cell(tag),
            ("tr" | "td" | "th", true) => b.flush(),
            (n, _) if BREAK.contains(&n) => b.flush(),
            _ => {}
        }
    }
    b.flush();
    while b.stack.len() > 1 {
        b.end_table();
    }
    match b.stack.pop() {
        Some(Container::Root(blocks)) => blocks,
        _ => Vec::new(),
    }
}

/// Index of the `>` closing a tag, skipping quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return Some(i),
            (None, '<') if i == 1 => return None,
            _ => {}
        }
    }
    None
}

/// Skip past `</name>` (case-insensitive); everything if it never closes.
fn skip_element<'a>(s: &'a str, name: &str) -> &'a str {
    let lower = s.to_ascii_lowercase();
    let close = format!("</{name}");
    match lower.find(&close) {
        Some(i) => {
            let after = &s[i..];
            after.find('>').map_or("", |j| &after[j + 1..])
        }
        None => "",
    }
}

/// Append text with HTML whitespace rules: runs of whitespace collapse to one space, and a
/// source line break between Chinese characters disappears (it is not a space in Chinese).
fn push_text(out: &mut String, raw: &str) {
    let decoded = decode_entities(raw);
    let mut pending_space = false;
    let mut saw_newline = false;
    for c in decoded.chars() {
        if c.is_ascii_whitespace() {
            pending_space = true;
            saw_newline |= c == '\n' || c == '\r';
            continue;
        }
        if pending_space {
            let prev_ascii = out.chars().last().is_none_or(|p| p.is_ascii());
            if !(saw_newline && (!prev_ascii || !c.is_ascii())) && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            saw_newline = false;
        }
        out.push(if c == '\u{A0}' { ' ' } else { c });
    }
    if pending_space && !saw_newline && !out.is_empty() {
        out.push(' ');
    }
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest
            .char_indices()
            .take(12)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        let decoded = end.and_then(|e| entity(&rest[1..e]).map(|c| (c, e)));
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "middot" => '·',
        "bull" => '•',
        "times" => '×',
        "divide" => '÷',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "yen" => '¥',
        "deg" => '°',
        "plusmn" => '±',
        "laquo" => '«',
        "raquo" => '»',
        "permil" => '‰',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_scripts_and_entities() {
        let html = "<html><head><title>x</title><script>var a='<p>';</script></head><body>\
            <div class=nav>首页 &gt;&gt; 政策</div><p>一、总体要求</p><p>&ldquo;中国制造2025&rdquo;&nbsp;试点</p>\
            <style>p{}</style><p>规上工业\n产值</p></body></html>";
        let blocks = blocks(html);
        assert_eq!(
            blocks,
            vec![
                Block::Para("首页 >> 政策".into()),
                Block::Para("一、总体要求".into()),
                Block::Para("“中国制造2025” 试点".into()),
                Block::Para("规上工业产值".into()),
            ]
        );
    }

    #[test]
    fn merged_cells_take_their_place_on_the_grid() {
        let html = "<table><tr><th>序号</th><th>类别</th><th>任务</th><th>责任单位</th></tr>\
            <tr><td>1</td><td rowspan=\"2\">产业</td><td>甲</td><td rowspan='3'>县经信局</td></tr>\
            <tr><td>2</td><td>乙</td></tr>\
            <tr><td>3</td><td colspan=2>丙</td></tr></table>";
        let row = |c: [&str; 4]| c.map(str::to_owned).to_vec();
        assert_eq!(
            blocks(html),
            vec![Block::Table(vec![
                row(["序号", "类别", "任务", "责任单位"]),
                row(["1", "产业", "甲", "县经信局"]),
                row(["2", "产业", "乙", "县经信局"]),
                row(["3", "丙", "", "县经信局"]),
            ])]
        );
        // A hostile span is bounded, and a span past the table's last row ends with it.
        let huge = "<table><tr><td rowspan=99999999999>a</td><td colspan=\"4294967296\">b</td></tr></table>";
        let Block::Table(t) = &blocks(huge)[0] else {
            panic!("a table")
        };
        assert_eq!(
            (t.len(), t[0].len()),
            (1, 1 + MAX_SPAN.min(MAX_GRID_COLS - 1))
        );
        // A long text spanning rows is placed once, not repeated in every row below.
        let long = format!(
            "<table><tr><td rowspan=3>{}</td><td>x</td></tr><tr><td>y</td></tr></table>",
            "字".repeat(MAX_REPEATED_CHARS + 1)
        );
        let Block::Table(t) = &blocks(&long)[0] else {
            panic!("a table")
        };
        assert_eq!(t[1], ["", "y"]);
        // Spans past a few times the cells written are read as single cells.
        let wide = "<tr><td colspan=64>a</td></tr>".repeat(5000);
        let Block::Table(t) = &blocks(&format!(
            "<table>{wide}<tr><td>1</td><td>2</td></tr></table>"
        ))[0] else {
            panic!("a table")
        };
        let cells: usize = t.iter().map(Vec::len).sum();
        assert!(cells <= 5 * 5002, "{cells} cells");
        // Text repeated under spanning cells stays within a few times the text written.
        let label = "字".repeat(MAX_REPEATED_CHARS);
        let head = format!("<td rowspan=200>{label}</td>").repeat(20);
        let rows = "<tr><td>x</td></tr>".repeat(199);
        let Block::Table(t) = &blocks(&format!("<table><tr>{head}</tr>{rows}</table>"))[0] else {
            panic!("a table")
        };
        let bytes: usize = t.iter().flatten().map(String::len).sum();
        assert!(bytes <= (1 << 20) + 20 * label.len() + 199, "{bytes} bytes");
        assert!(
            bytes > 1 << 19,
            "spans within the budget are repeated: {bytes} bytes"
        );
    }

    #[test]
    fn data_tables_survive_layout_tables_flatten() {
        let html = "<table><tr><td><p>标题</p><table><tr><th>序号</th><th>任务</th></tr>\
            <tr><td>1</td><td>做事</td></tr></table></td></tr></table>";
        assert_eq!(
            blocks(html),
            vec![
                Block::Para("标题".into()),
                Block::Table(vec![
                    vec!["序号".into(), "任务".into()],
                    vec!["1".into(), "做事".into()]
                ])
            ]
        );
    }
}
