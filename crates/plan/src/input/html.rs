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
    /// rows → cells → blocks
    Table(Vec<Vec<Vec<Block>>>),
}

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
                        row.push(Vec::new());
                    }
                    if let Some(cell) = row.last_mut() {
                        cell.push(block);
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

    fn new_cell(&mut self) {
        self.flush();
        if let Some(Container::Table(rows)) = self.stack.last_mut() {
            if rows.is_empty() {
                rows.push(Vec::new());
            }
            if let Some(row) = rows.last_mut() {
                row.push(Vec::new());
            }
        }
    }
}

/// A data table has no nested tables, at least two columns and short cells; anything else is
/// page layout and its cells become ordinary paragraphs.
fn finish_table(rows: Vec<Vec<Vec<Block>>>) -> Vec<Block> {
    let rows: Vec<Vec<Vec<Block>>> = rows.into_iter().filter(|r| !r.is_empty()).collect();
    let nested = rows
        .iter()
        .flatten()
        .flatten()
        .any(|b| matches!(b, Block::Table(_)));
    let max_cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let long_cell = rows.iter().flatten().any(|cell| cell.len() > 6);
    if nested || max_cols < 2 || long_cell {
        return rows.into_iter().flatten().flatten().collect();
    }
    let table = rows
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|cell| {
                    cell.into_iter()
                        .filter_map(|b| match b {
                            Block::Para(p) => Some(p),
                            Block::Table(_) => None,
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .collect()
        })
        .collect();
    vec![Block::Table(table)]
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
            ("td" | "th", false) => b.new_cell(),
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
