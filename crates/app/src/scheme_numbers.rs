//! The numbers of a 亩均评价 configuration the office changes most — each indicator's weight,
//! benchmark, cap and what a firm without the data scores, and the classes' bounds — read from
//! the configuration text and written back into it, key by key, so its comments, order and
//! every other rule stay as they were. The result is the same text `evaluation::parse_config`
//! validates and `evaluation::save_config` saves: the form is one more view of that text.

use qx_core::scale::Scale;
use toml_edit::{DocumentMut, Item, Table};

/// One `[[items]]` entry as the form shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemNumbers {
    /// 指标名 (read only on the form).
    pub label: String,
    /// 规上 or 规下; `None`: both (`all`) (read only on the form).
    pub scale: Option<Scale>,
    pub weight: f64,
    /// The benchmark; `None`: the group's average (`"group_average"`).
    pub benchmark: Option<f64>,
    /// At most this many points (a `cap_multiple` read as points); `None`: no cap.
    pub cap: Option<f64>,
    /// A firm without the data scores 0 (else the group's mean).
    pub missing_zero: bool,
}

/// One `[[classes]]` entry: its name and upper bound as a share of the group (the last class
/// has none).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassBound {
    pub name: String,
    pub max_pct: Option<f64>,
}

/// What the form edits.
#[derive(Debug, Clone, PartialEq)]
pub struct Numbers {
    pub items: Vec<ItemNumbers>,
    pub classes: Vec<ClassBound>,
}

fn parse(text: &str) -> Result<DocumentMut, Vec<String>> {
    text.parse::<DocumentMut>()
        .map_err(|e| vec![format!("TOML格式错误 (invalid TOML): {e}")])
}

fn number(t: &Table, key: &str) -> Option<f64> {
    let v = t.get(key)?.as_value()?;
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

fn text(t: &Table, key: &str) -> String {
    t.get(key)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

fn tables<'a>(doc: &'a DocumentMut, key: &str) -> Vec<&'a Table> {
    doc.get(key)
        .and_then(Item::as_array_of_tables)
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// The numbers of a configuration text (one that `parse_config` reads).
pub fn numbers_of(text_: &str) -> Result<Numbers, Vec<String>> {
    let doc = parse(text_)?;
    let items = tables(&doc, "items")
        .into_iter()
        .map(|t| {
            let weight = number(t, "weight").unwrap_or(0.0);
            ItemNumbers {
                label: text(t, "label"),
                scale: Scale::parse(&text(t, "scale")),
                weight,
                benchmark: number(t, "benchmark"),
                cap: number(t, "cap").or_else(|| number(t, "cap_multiple").map(|m| m * weight)),
                missing_zero: text(t, "missing") == "zero",
            }
        })
        .collect();
    let classes = tables(&doc, "classes")
        .into_iter()
        .map(|t| ClassBound {
            name: text(t, "name"),
            max_pct: number(t, "max_pct"),
        })
        .collect();
    Ok(Numbers { items, classes })
}

/// A number as TOML writes it: whole numbers without a decimal point (`30`, not `30.0`).
fn number_value(x: f64) -> toml_edit::Value {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        toml_edit::Value::from(x as i64)
    } else {
        toml_edit::Value::from(x)
    }
}

fn set(t: &mut Table, key: &str, v: toml_edit::Value) {
    // Keep the comment written after the old value.
    let decor = t
        .get(key)
        .and_then(Item::as_value)
        .map(|old| old.decor().clone());
    let mut v = v;
    if let Some(d) = decor {
        *v.decor_mut() = d;
    }
    t.insert(key, Item::Value(v));
}

/// The configuration text with `numbers` written in: only what changed from `numbers_of(text)`
/// is touched (a changed cap is written as `cap`, replacing a `cap_multiple`), then the whole
/// text is checked by `parse_config`. `numbers` must have one entry for each item and class.
pub fn with_numbers(text_: &str, numbers: &Numbers) -> Result<String, Vec<String>> {
    let was = numbers_of(text_)?;
    if was.items.len() != numbers.items.len() || was.classes.len() != numbers.classes.len() {
        return Err(vec![
            "方案的指标或档次已被修改, 请刷新后重新填写 (the scheme changed: reload the form)"
                .into(),
        ]);
    }
    let mut doc = parse(text_)?;
    if let Some(items) = doc.get_mut("items").and_then(Item::as_array_of_tables_mut) {
        for ((t, old), new) in items.iter_mut().zip(&was.items).zip(&numbers.items) {
            if new.weight != old.weight {
                set(t, "weight", number_value(new.weight));
            }
            if new.benchmark != old.benchmark {
                let v = match new.benchmark {
                    Some(b) => number_value(b),
                    None => toml_edit::Value::from("group_average"),
                };
                set(t, "benchmark", v);
            }
            if new.cap != old.cap {
                t.remove("cap_multiple");
                match new.cap {
                    Some(c) => set(t, "cap", number_value(c)),
                    None => {
                        t.remove("cap");
                    }
                }
            }
            if new.missing_zero != old.missing_zero {
                let v = if new.missing_zero {
                    "zero"
                } else {
                    "group_mean"
                };
                set(t, "missing", toml_edit::Value::from(v));
            }
        }
    }
    if let Some(classes) = doc
        .get_mut("classes")
        .and_then(Item::as_array_of_tables_mut)
    {
        for ((t, old), new) in classes.iter_mut().zip(&was.classes).zip(&numbers.classes) {
            if new.max_pct != old.max_pct {
                match new.max_pct {
                    Some(p) => set(t, "max_pct", number_value(p)),
                    None => {
                        t.remove("max_pct");
                    }
                }
            }
        }
    }
    let out = doc.to_string();
    crate::evaluation::parse_config(&out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::{Benchmark, default_config, parse_config};

    #[test]
    fn numbers_read_and_write_back_keeping_everything_else() {
        let text = default_config();
        let mut n = numbers_of(&text).unwrap();
        assert_eq!(n.items[0].label, "亩均税收");
        assert_eq!(n.items[0].weight, 30.0);
        assert_eq!(n.items[0].benchmark, Some(24.097));
        assert_eq!(n.classes[0].max_pct, Some(0.2));
        assert_eq!(n.classes.last().unwrap().max_pct, None);
        // Nothing changed: the same text.
        assert_eq!(with_numbers(&text, &n).unwrap(), text);

        n.items[0].weight = 35.0;
        n.items[1].benchmark = None;
        n.items[2].cap = Some(40.0);
        n.items[3].missing_zero = true;
        n.classes[0].max_pct = Some(0.15);
        let out = with_numbers(&text, &n).unwrap();
        assert_eq!(numbers_of(&out).unwrap(), n);
        assert!(out.contains("weight = 35\n"), "{out}");
        assert!(out.contains("benchmark = \"group_average\""), "{out}");
        assert!(out.contains("max_pct = 0.15"), "{out}");
        // The comments and the rules the form does not show are kept.
        assert!(out.starts_with("# 亩均效益综合评价 — 内置默认方案"));
        assert!(out.contains("[policy]"));
        assert_eq!(
            out.lines().count(),
            text.lines().count() + 2,
            "only a cap and a missing line added"
        );
        let config = parse_config(&out).unwrap();
        let va = config
            .scheme
            .items
            .iter()
            .find(|i| i.key == "va_per_mu")
            .unwrap();
        assert_eq!(va.benchmark, Benchmark::GroupAverage);
    }

    #[test]
    fn a_number_the_rules_refuse_is_said_and_nothing_is_written() {
        let text = default_config();
        let mut n = numbers_of(&text).unwrap();
        n.classes[1].max_pct = Some(0.1);
        let problems = with_numbers(&text, &n).unwrap_err();
        assert!(!problems.is_empty());
        let mut fewer = numbers_of(&text).unwrap();
        fewer.items.pop();
        assert!(with_numbers(&text, &fewer).unwrap_err()[0].contains("请刷新"));
    }
}
