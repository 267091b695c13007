//! The seed plan (象山县 2017) against its hand-checked gold annotation, scored the way
//! `shared/tools/grade_plan.py` scores it, plus a randomised never-panics check.

use crate::common;

use common::{shared_seed, units};
use qx_plan::{parse_bytes, parse_file};
use std::collections::{BTreeSet, HashMap};

fn leaves(numbers: &[String]) -> Vec<String> {
    numbers
        .iter()
        .filter(|n| !numbers.iter().any(|m| m.starts_with(&format!("{n}."))))
        .cloned()
        .collect()
}

#[test]
fn seed_matches_gold() {
    let (Some(seed), Some(gold)) = (
        shared_seed("xiangshan-2017-plan.txt"),
        shared_seed("xiangshan-2017-plan.gold.json"),
    ) else {
        eprintln!("shared/seed not found; skipping");
        return;
    };
    let plan = parse_file(&seed, &units()).expect("seed parses");
    let gold: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(gold).expect("gold")).expect("gold json");

    assert_eq!(plan.title.as_deref(), gold["title"].as_str());
    assert_eq!(plan.doc_number.as_deref(), gold["doc_number"].as_str());
    assert_eq!(plan.issuer.as_deref(), gold["issuer"].as_str());
    assert_eq!(plan.date.as_deref(), gold["date"].as_str());
    assert_eq!(plan.year.map(i64::from), gold["year"].as_i64());

    let gold_items = gold["items"].as_array().expect("items");
    let gold_numbers: Vec<String> = gold_items
        .iter()
        .filter_map(|i| i["number"].as_str().map(str::to_owned))
        .collect();
    let ours: Vec<String> = plan.items.iter().map(|i| i.number.clone()).collect();
    assert_eq!(leaves(&ours), leaves(&gold_numbers), "leaf items");

    let by_number: HashMap<&str, &qx_plan::Item> =
        plan.items.iter().map(|i| (i.number.as_str(), i)).collect();
    let mut with_units = 0;
    for g in gold_items {
        let number = g["number"].as_str().unwrap_or_default();
        let want: BTreeSet<&str> = g["units"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u.as_str())
            .collect();
        if want.is_empty() {
            continue;
        }
        with_units += 1;
        let got: BTreeSet<&str> = by_number[number].units.iter().map(String::as_str).collect();
        assert_eq!(got, want, "units of {number}");
    }
    assert_eq!(with_units, 67);

    let gold_targets = gold["targets"].as_array().expect("targets");
    assert_eq!(plan.targets.len(), gold_targets.len());
    for (ours, g) in plan.targets.iter().zip(gold_targets) {
        assert_eq!(Some(ours.value), g["value"].as_f64(), "{}", ours.text);
        assert_eq!(
            Some(ours.unit.as_str()),
            g["unit"].as_str(),
            "{}",
            ours.text
        );
        assert_eq!(
            ours.section.as_deref(),
            g["section"].as_str(),
            "{}",
            ours.text
        );
        let gt = g["text"].as_str().unwrap_or_default();
        assert!(
            ours.text.contains(gt) || gt.contains(&ours.text),
            "{} vs {gt}",
            ours.text
        );
    }
    // Quantities inside tasks are offered separately.
    assert!(
        plan.task_indicators
            .iter()
            .any(|t| t.text == "实现“机器换人”项目30个" && t.value == 30.0)
    );
    assert!(
        plan.task_indicators
            .iter()
            .any(|t| t.text.contains("120家创新型初创企业"))
    );
    let heading = plan
        .items
        .iter()
        .find(|i| i.number == "三.(一).2.(2)")
        .and_then(|i| i.heading.as_deref());
    assert_eq!(heading, Some("强化工投集团功能"));
    assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    // Every line placed; only the nine leaves of 四、保障措施 and the like carry no unit.
    assert!(plan.review.unplaced.is_empty(), "{:?}", plan.review);
    assert!(plan.review.confidence >= 95, "{:?}", plan.review);
    assert_eq!(plan.review.level(), "high");
}

/// A small xorshift generator: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn parse_never_panics_on_mutations_of_the_seed() {
    let seed = shared_seed("xiangshan-2017-plan.txt")
        .and_then(|p| std::fs::read(p).ok())
        .unwrap_or_else(|| {
            std::fs::read(common::fixture("fullwidth-lead-support.txt")).expect("fixture")
        });
    let dir = units();
    let pieces: Vec<&[u8]> = [
        "一、",
        "（一）",
        "(1)",
        "1.",
        "①",
        "第三条",
        "责任单位：",
        "牵头单位:",
        "（",
        "）",
        "、",
        "。",
        "增长",
        "8%",
        "以上",
        "亿元",
        "五千亿",
        "8—10个",
        "附件",
        "2017年4月13日",
        "\n",
        "\r",
        "〔2017〕3号",
        "<p>",
        "&amp;",
        "《",
        "》的通知",
    ]
    .iter()
    .map(|s| s.as_bytes())
    .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..300 {
        let mut doc = seed.clone();
        for _ in 0..1 + rng.below(12) {
            let at = rng.below(doc.len() + 1).min(doc.len());
            match rng.below(5) {
                0 => {
                    let p = pieces[rng.below(pieces.len())];
                    doc.splice(at..at, p.iter().copied());
                }
                1 => {
                    let end = (at + rng.below(200)).min(doc.len());
                    doc.drain(at..end);
                }
                2 if at < doc.len() => doc[at] = rng.next() as u8,
                3 => doc.truncate(at),
                _ => {
                    let start = rng.below(doc.len() + 1).min(doc.len());
                    let end = (start + rng.below(400)).min(doc.len());
                    let chunk = doc[start..end].to_vec();
                    doc.splice(at..at, chunk);
                }
            }
        }
        if round % 10 == 0 {
            doc = (0..rng.below(4000)).map(|_| rng.next() as u8).collect();
        }
        // Must return, Ok or Err, without panicking.
        let _ = parse_bytes(&doc, "mutated.txt", &dir);
        let _ = parse_bytes(&doc, "mutated.html", &dir);
    }
}

/// What the tree, the units and the targets of a parse are, for comparing two parses.
fn structure(plan: &qx_plan::ParsedPlan) -> Vec<String> {
    let items = plan.items.iter().map(|i| {
        format!(
            "{} {:?} {:?} {:?}",
            i.number, i.units, i.lead_units, i.support_units
        )
    });
    let targets = plan.targets.iter().chain(&plan.task_indicators).map(|t| {
        format!(
            "{:?} {} {} {:?} {} {}",
            t.section,
            t.value,
            t.unit,
            t.max,
            t.comparator.as_str(),
            t.text
        )
    });
    items.chain(targets).collect()
}

#[test]
fn seed_without_its_line_breaks_gives_the_same_tree() {
    let Some(seed) = shared_seed("xiangshan-2017-plan.txt") else {
        eprintln!("shared/seed not found; skipping");
        return;
    };
    let text = std::fs::read_to_string(seed).expect("seed is UTF-8");
    let dir = units();
    let with_breaks = qx_plan::parse_text(&text, &dir);
    // As saved from a page that dropped its <br>s, and as pasted from a policy database
    // (each paragraph's indentation gone too).
    let joined: String = text.chars().filter(|c| !matches!(c, '\n' | '\r')).collect();
    let pasted: String = text.lines().map(str::trim).collect();
    for (name, run_on) in [("joined", joined), ("pasted", pasted)] {
        let plan = parse_bytes(run_on.as_bytes(), "runon.txt", &dir).expect("parses");
        assert!(plan.lines.len() > 100, "{name}: breaks restored");
        assert_eq!(structure(&plan), structure(&with_breaks), "{name}");
        assert_eq!(plan.title, with_breaks.title, "{name}");
        assert_eq!(plan.doc_number, with_breaks.doc_number, "{name}");
        assert_eq!(plan.issuer, with_breaks.issuer, "{name}");
        assert_eq!(plan.date, with_breaks.date, "{name}");
        let heading = plan
            .items
            .iter()
            .find(|i| i.number == "三.(一).2.(2)")
            .and_then(|i| i.heading.as_deref());
        assert_eq!(heading, Some("强化工投集团功能"), "{name}");
    }
}
