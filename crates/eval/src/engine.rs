//! 评分引擎: scores an [`InputTable`] under a [`Scheme`], column by column, in parallel chunks.
//!
//! Steps, each a pass over the rows:
//! 1. assign every firm its evaluation group (规模 × 行业分组 × 镇乡, as the scheme says);
//! 2. for group-average benchmarks, sum numerators and denominators per group;
//! 3. score every item that has data (value / benchmark × weight, floor, cap), summing the
//!    scores per group for the missing-data rule;
//! 4. give missing items the group mean score, and add up totals and 加减分;
//! 5. rank within the group by total (ties by uscc), classify by pct = rank / N, then apply
//!    一票否决 and 调档.
//!
//! Chunk boundaries are fixed (not left to work stealing) and partial sums are combined in chunk
//! order, so results are bit-for-bit the same on any number of threads.

use crate::mem;
use crate::scheme::{Benchmark, Item, Missing, Scheme};
use crate::table::{InputTable, Scale, StrColumn};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// Rows per parallel work unit.
const CHUNK: usize = 1 << 14;

/// An evaluation group (评价分组) and what it was computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupInfo {
    /// `Some` when groups are split by scale.
    pub scale: Option<Scale>,
    /// The industry group name when groups are split by industry.
    pub industry: Option<String>,
    /// The town when groups are split by town.
    pub town: Option<String>,
    /// Number of firms in the group.
    pub size: usize,
}

impl GroupInfo {
    /// A readable name such as `above / 纺织服装 / 石浦镇` (`全部` for a single group).
    pub fn label(&self) -> String {
        let parts: Vec<&str> = [
            self.scale.map(Scale::as_str),
            self.industry.as_deref(),
            self.town.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            "全部".to_owned()
        } else {
            parts.join(" / ")
        }
    }
}

/// One item's figures for one group and scale: the provenance of its scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemStat {
    /// The benchmark used (fixed, or the group average). `NaN` if it could not be computed.
    pub benchmark: f64,
    /// Firms that had the data.
    pub with_data: usize,
    /// Score given to firms without the data.
    pub missing_score: f64,
}

/// The evaluation of every row, with provenance.
#[derive(Debug, Clone)]
pub struct Results {
    pub(crate) item_keys: Vec<String>,
    pub(crate) groups: Vec<GroupInfo>,
    pub(crate) group_of: Vec<u32>,
    /// `[key][group * 2 + scale]`; `None` where the scale's set lacks the item.
    pub(crate) stats: Vec<Vec<Option<ItemStat>>>,
    /// `[key][row]`; `NaN` where the item does not apply to the row's scale.
    pub(crate) scores: Vec<Vec<f64>>,
    pub(crate) imputed: Vec<Vec<bool>>,
    /// Sum of 加分 − 减分 per row (empty when the scheme has none).
    pub(crate) adjustment: Vec<f64>,
    pub(crate) total: Vec<f64>,
    pub(crate) rank: Vec<u32>,
    pub(crate) class: Vec<u8>,
    /// Class before 一票否决/调档 (empty when the scheme has neither).
    pub(crate) initial_class: Vec<u8>,
    /// 0 = not adjusted, else 1 + index into `reasons`.
    pub(crate) adjusted_by: Vec<u32>,
    pub(crate) reasons: Vec<String>,
    pub(crate) class_names: Vec<String>,
    /// Output order: group order, then rank.
    pub(crate) order: Vec<u32>,
    pub(crate) specs: Vec<[Option<(String, String)>; 2]>,
    pub(crate) warnings: Vec<String>,
}

impl Results {
    /// Number of rows evaluated.
    pub fn len(&self) -> usize {
        self.total.len()
    }

    /// Whether no rows were evaluated.
    pub fn is_empty(&self) -> bool {
        self.total.is_empty()
    }

    /// Item keys, in output column order.
    pub fn item_keys(&self) -> &[String] {
        &self.item_keys
    }

    /// Row indices in output order (group, then rank).
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// The group of a row.
    pub fn group(&self, row: usize) -> &GroupInfo {
        &self.groups[self.group_of[row] as usize]
    }

    /// All groups with at least one firm, in output order.
    pub fn groups(&self) -> impl Iterator<Item = &GroupInfo> {
        self.groups.iter().filter(|g| g.size > 0)
    }

    /// Item `k`'s score column (`NaN` where the item does not apply).
    pub fn score_column(&self, k: usize) -> &[f64] {
        &self.scores[k]
    }

    /// Item `k`'s score for a row, `None` if the item does not apply to its scale.
    pub fn score(&self, k: usize, row: usize) -> Option<f64> {
        let s = self.scores[k][row];
        (!s.is_nan()).then_some(s)
    }

    /// Whether item `k` of a row was given the group mean for lack of data.
    pub fn imputed(&self, k: usize, row: usize) -> bool {
        self.imputed[k][row]
    }

    /// The figures behind item `k` for a row's group (benchmark, firms with data, missing score).
    pub fn item_stat(&self, k: usize, row: usize, scale: Scale) -> Option<ItemStat> {
        self.stats[k][self.group_of[row] as usize * 2 + scale as usize]
    }

    /// Item `k`'s value (numerator / denominator) for a row, `None` when it lacks the data.
    pub fn value(&self, table: &InputTable, k: usize, row: usize) -> Option<f64> {
        let scale = *table.scale().get(row)?;
        let (num, den) = self.specs[k][scale as usize].as_ref()?;
        let n = table.numeric(num)?[row];
        let d = table.numeric(den)?[row];
        has_value(n, d).then(|| n / d)
    }

    /// Total score (before rounding), 加减分 included.
    pub fn total(&self, row: usize) -> f64 {
        self.total[row]
    }

    /// Total column.
    pub fn total_column(&self) -> &[f64] {
        &self.total
    }

    /// 加分 − 减分 of a row (0 when the scheme has none).
    pub fn adjustment(&self, row: usize) -> f64 {
        self.adjustment.get(row).copied().unwrap_or(0.0)
    }

    /// Rank within the group, from 1.
    pub fn rank(&self, row: usize) -> u32 {
        self.rank[row]
    }

    /// pct = rank / N within the group.
    pub fn pct(&self, row: usize) -> f64 {
        self.rank[row] as f64 / self.group(row).size as f64
    }

    /// Final class (after 一票否决 and 调档).
    pub fn class(&self, row: usize) -> &str {
        &self.class_names[self.class[row] as usize]
    }

    /// Class from the score alone.
    pub fn initial_class(&self, row: usize) -> &str {
        let c = self.initial_class.get(row).unwrap_or(&self.class[row]);
        &self.class_names[*c as usize]
    }

    /// Why the class differs from the score's, if it does.
    pub fn adjust_reason(&self, row: usize) -> Option<&str> {
        match self.adjusted_by.get(row) {
            Some(&i) if i > 0 => Some(&self.reasons[i as usize - 1]),
            _ => None,
        }
    }

    /// Things the operator should know (a group-average benchmark that could not be formed,
    /// an override for a code not in the input …).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

#[inline]
fn has_value(num: f64, den: f64) -> bool {
    !num.is_nan() && den > 0.0
}

/// One item as applied to one scale, with its input columns resolved.
struct Spec<'a> {
    item: &'a Item,
    num: Option<&'a [f64]>,
    den: Option<&'a [f64]>,
}

/// Every item's columns, looked up among the taken columns first, then in the table.
fn resolve<'a>(
    items: &[[Option<&'a Item>; 2]],
    table: &'a InputTable,
    own: &'a FxHashMap<String, Vec<f64>>,
) -> Vec<[Option<Spec<'a>>; 2]> {
    let col = |name: &str| {
        own.get(name)
            .map(Vec::as_slice)
            .or_else(|| table.numeric(name))
    };
    items
        .iter()
        .map(|pair| {
            pair.map(|item| {
                item.map(|item| Spec {
                    item,
                    num: col(&item.numerator),
                    den: col(&item.denominator),
                })
            })
        })
        .collect()
}

impl Spec<'_> {
    #[inline]
    fn value(&self, row: usize) -> Option<f64> {
        let n = self.num?[row];
        let d = self.den?[row];
        has_value(n, d).then(|| n / d)
    }
}

/// Evaluates every row of `table` under `scheme`.
///
/// The table should have passed [`crate::check`]: evaluation never fails, but a row with, say, zero
/// land simply has its 亩均 items treated as missing.
pub fn evaluate(table: &InputTable, scheme: &Scheme) -> Results {
    run(table, FxHashMap::default(), scheme)
}

/// [`evaluate`], consuming the table and handing back its key columns (`uscc`, `scale`), all the
/// results are printed from.
///
/// The score and total columns are written over the input columns that only the items read,
/// each once its last item is scored: a fresh column of a million rows costs more in the
/// kernel's zeroing of its pages than the scoring pass that fills it. The results are the same
/// bits as [`evaluate`]'s; [`Results::value`] cannot be asked of them (the inputs are gone).
pub fn evaluate_owned(mut table: InputTable, scheme: &Scheme) -> (Results, StrColumn, Vec<Scale>) {
    let read_elsewhere: Vec<&str> = scheme
        .adjustments
        .iter()
        .map(|a| a.column.as_str())
        .chain(scheme.vetoes.iter().map(|v| v.column.as_str()))
        .collect();
    let mut own = FxHashMap::default();
    for item in &scheme.items {
        for name in [&item.numerator, &item.denominator] {
            if !read_elsewhere.contains(&name.as_str())
                && !own.contains_key(name)
                && let Some(col) = table.take_numeric(name)
            {
                own.insert(name.clone(), col);
            }
        }
    }
    let results = run(&table, own, scheme);
    let (uscc, scale) = table.into_key_columns();
    (results, uscc, scale)
}

/// The evaluation; `own` holds input columns taken from `table` that may be written over once
/// no item reads them any more.
fn run(table: &InputTable, mut own: FxHashMap<String, Vec<f64>>, scheme: &Scheme) -> Results {
    let n = table.len();
    let keys = &scheme.item_keys;
    let nk = keys.len();
    let items: Vec<[Option<&Item>; 2]> = keys
        .iter()
        .map(|k| Scale::ALL.map(|s| scheme.items_for(s).find(|i| &i.key == k)))
        .collect();
    // The last item (in scoring order) that reads each owned column.
    let mut last_use: FxHashMap<&str, usize> = FxHashMap::default();
    for (k, pair) in items.iter().enumerate() {
        for item in pair.iter().flatten() {
            last_use.insert(&item.numerator, k);
            last_use.insert(&item.denominator, k);
        }
    }
    let mut spare: Vec<Vec<f64>> = Vec::new();
    let unread: Vec<String> = own
        .keys()
        .filter(|name| !last_use.contains_key(name.as_str()))
        .cloned()
        .collect();
    for name in unread {
        spare.extend(own.remove(&name));
    }
    let scale = table.scale();
    let phase = std::time::Instant::now();
    let (group_of, mut groups) = assign_groups(table, scheme);
    crate::phases::record("evaluate: groups", phase);
    let phase = std::time::Instant::now();
    let n_cells = groups.len() * 2;
    let n_chunks = n.div_ceil(CHUNK);
    let mut warnings = Vec::new();

    // Step 2: benchmarks per key and cell (group × scale).
    let needs_average = items
        .iter()
        .flatten()
        .flatten()
        .any(|i| i.benchmark == Benchmark::GroupAverage);
    let specs = resolve(&items, table, &own);
    let sums: Vec<(f64, f64)> = if needs_average {
        let partials: Vec<Vec<(f64, f64)>> = (0..n_chunks)
            .into_par_iter()
            .map(|ci| {
                let mut acc = vec![(0.0, 0.0); nk * n_cells];
                for row in ci * CHUNK..((ci + 1) * CHUNK).min(n) {
                    let sc = scale[row] as usize;
                    let cell = group_of[row] as usize * 2 + sc;
                    for (k, spec) in specs.iter().enumerate() {
                        if let Some(spec) = &spec[sc]
                            && spec.item.benchmark == Benchmark::GroupAverage
                            && let (Some(num), Some(den)) = (spec.num, spec.den)
                            && has_value(num[row], den[row])
                        {
                            let a = &mut acc[k * n_cells + cell];
                            a.0 += num[row];
                            a.1 += den[row];
                        }
                    }
                }
                acc
            })
            .collect();
        sum_in_order(partials, nk * n_cells, (0.0, 0.0), |a, b| {
            (a.0 + b.0, a.1 + b.1)
        })
    } else {
        Vec::new()
    };
    let mut bench = vec![f64::NAN; nk * n_cells];
    for (k, spec) in specs.iter().enumerate() {
        for cell in 0..n_cells {
            let Some(spec) = &spec[cell % 2] else {
                continue;
            };
            bench[k * n_cells + cell] = match spec.item.benchmark {
                Benchmark::Fixed(b) => b,
                Benchmark::GroupAverage => {
                    let (sn, sd) = sums[k * n_cells + cell];
                    let b = sn / sd;
                    if sd > 0.0 && !(b.is_finite() && b > 0.0) {
                        warnings.push(format!(
                            "分组 \"{}\" 的指标 \"{}\" 组内平均基准值为 {b}, 无法评分, 该项记0分 (group average benchmark is not positive; the item scores 0)",
                            groups[cell / 2].label(),
                            spec.item.label
                        ));
                    }
                    b
                }
            };
        }
    }

    // Step 3: scores of items with data, and per-cell sums for the missing-data mean. One pass
    // per item, so that the columns read by no later item can take the next item's scores.
    let mut scores: Vec<Vec<f64>> = Vec::with_capacity(nk);
    let mut imputed: Vec<Vec<bool>> = Vec::with_capacity(nk);
    let mut score_sums = Vec::with_capacity(nk * n_cells);
    for k in 0..nk {
        // Every cell is written below, so a recycled column needs no filling first.
        let mut out = spare.pop().unwrap_or_else(|| mem::filled_par(n, f64::NAN));
        let mut imp = mem::filled_par(n, false);
        {
            let spec = &resolve(&items[k..=k], table, &own)[0];
            let partials: Vec<Vec<(f64, usize)>> = out
                .par_chunks_mut(CHUNK)
                .zip(imp.par_chunks_mut(CHUNK))
                .enumerate()
                .map(|(ci, (out, imp))| {
                    let mut acc = vec![(0.0, 0usize); n_cells];
                    let base = ci * CHUNK;
                    for i in 0..out.len() {
                        let row = base + i;
                        let sc = scale[row] as usize;
                        let Some(spec) = &spec[sc] else {
                            out[i] = f64::NAN;
                            continue;
                        };
                        let cell = group_of[row] as usize * 2 + sc;
                        match spec.value(row) {
                            Some(v) => {
                                let b = bench[k * n_cells + cell];
                                let s = if b.is_finite() && b > 0.0 {
                                    spec.item.score(v, b)
                                } else {
                                    0.0
                                };
                                out[i] = s;
                                let a = &mut acc[cell];
                                a.0 += s;
                                a.1 += 1;
                            }
                            None => {
                                out[i] = f64::NAN;
                                imp[i] = true;
                            }
                        }
                    }
                    acc
                })
                .collect();
            score_sums.extend(sum_in_order(partials, n_cells, (0.0, 0), |a, b| {
                (a.0 + b.0, a.1 + b.1)
            }));
        }
        scores.push(out);
        imputed.push(imp);
        let done: Vec<String> = own
            .keys()
            .filter(|name| last_use.get(name.as_str()) == Some(&k))
            .cloned()
            .collect();
        for name in done {
            spare.extend(own.remove(&name));
        }
    }
    let mut stats: Vec<Vec<Option<ItemStat>>> = vec![vec![None; n_cells]; nk];
    let mut fill = vec![0.0; nk * n_cells];
    for (k, pair) in items.iter().enumerate() {
        for cell in 0..n_cells {
            let Some(item) = pair[cell % 2] else {
                continue;
            };
            let (sum, count) = score_sums[k * n_cells + cell];
            let missing_score = match item.missing {
                Missing::GroupMean if count > 0 => sum / count as f64,
                _ => 0.0,
            };
            fill[k * n_cells + cell] = missing_score;
            stats[k][cell] = Some(ItemStat {
                benchmark: bench[k * n_cells + cell],
                with_data: count,
                missing_score,
            });
        }
    }

    crate::phases::record("evaluate: item scores", phase);
    let phase = std::time::Instant::now();

    // Step 4: fill missing items, add up totals and 加减分.
    let adjust_cols: Vec<(&[f64], f64, Option<f64>)> = scheme
        .adjustments
        .iter()
        .filter_map(|a| table.numeric(&a.column).map(|c| (c, a.sign, a.cap)))
        .collect();
    // Every row's total is written below.
    let mut total = spare.pop().unwrap_or_else(|| mem::filled_par(n, 0.0));
    let mut adjustment = if scheme.adjustments.is_empty() {
        Vec::new()
    } else {
        vec![0.0; n]
    };
    {
        let adj_chunks: Vec<Option<&mut [f64]>> = if adjustment.is_empty() {
            (0..n_chunks).map(|_| None).collect()
        } else {
            adjustment.chunks_mut(CHUNK).map(Some).collect()
        };
        chunks_mut(&mut scores)
            .into_par_iter()
            .zip(chunks_mut(&mut imputed))
            .zip(total.par_chunks_mut(CHUNK))
            .zip(adj_chunks)
            .enumerate()
            .for_each(|(ci, (((mut sc_cols, im_cols), tot), mut adj))| {
                let base = ci * CHUNK;
                for i in 0..tot.len() {
                    let row = base + i;
                    let sc = scale[row] as usize;
                    let cell = group_of[row] as usize * 2 + sc;
                    let mut t = 0.0;
                    for k in 0..nk {
                        if im_cols[k][i] {
                            sc_cols[k][i] = fill[k * n_cells + cell];
                        }
                        let s = sc_cols[k][i];
                        if !s.is_nan() {
                            t += s;
                        }
                    }
                    if let Some(adj) = adj.as_deref_mut() {
                        let mut a = 0.0;
                        for &(col, sign, cap) in &adjust_cols {
                            let v = col[row];
                            if v > 0.0 {
                                a += sign * cap.map_or(v, |c| v.min(c));
                            }
                        }
                        adj[i] = a;
                        t += a;
                    }
                    tot[i] = t;
                }
            });
    }

    crate::phases::record("evaluate: totals", phase);
    let phase = std::time::Instant::now();

    // Step 5: rank within groups by total (descending), ties by uscc; classify.
    let uscc = table.uscc();
    let (sorted, packed, starts) = rank_order(&group_of, groups.len(), &total, uscc);
    crate::phases::record("evaluate: ranking sort", phase);
    let phase = std::time::Instant::now();
    let mut rank = mem::filled_par(n, 0u32);
    let mut class = mem::filled_par(n, 0u8);
    let last_class = scheme.classes.len().saturating_sub(1);
    for (g, group) in groups.iter_mut().enumerate() {
        let members = &sorted[starts[g]..starts[g + 1]];
        let size = members.len();
        if size == 0 {
            continue;
        }
        group.size = size;
        for (pos, &key) in members.iter().enumerate() {
            let r = pos + 1;
            let pct = r as f64 / size as f64;
            let c = scheme
                .classes
                .iter()
                .position(|c| c.max_pct.is_none_or(|m| pct <= m))
                .unwrap_or(last_class);
            rank[packed.row(key)] = r as u32;
            class[packed.row(key)] = c as u8;
        }
    }
    let order: Vec<u32> = sorted.par_iter().map(|&k| packed.row(k) as u32).collect();
    drop(sorted);
    crate::phases::record("evaluate: ties, ranks, classes", phase);

    // 一票否决, then 调档 (a manual decision has the last word).
    let mut initial_class = Vec::new();
    let mut adjusted_by = Vec::new();
    let mut reasons = Vec::new();
    if scheme.has_class_adjustments() {
        initial_class = class.clone();
        adjusted_by = vec![0u32; n];
        for veto in &scheme.vetoes {
            let Some(col) = table.numeric(&veto.column) else {
                continue;
            };
            reasons.push(format!("一票否决: {}", veto.reason));
            let id = reasons.len() as u32;
            for row in 0..n {
                let v = col[row];
                // A veto only ever downgrades: the worst of the score's class and the classes
                // of the vetoes that apply wins (a D firm vetoed to C stays D).
                let vc = veto.class as u8;
                if !v.is_nan()
                    && v != 0.0
                    && (vc > class[row] || (vc == class[row] && adjusted_by[row] == 0))
                {
                    class[row] = veto.class as u8;
                    adjusted_by[row] = id;
                }
            }
        }
        if !scheme.overrides.is_empty() {
            let wanted: FxHashMap<&str, usize> = scheme
                .overrides
                .iter()
                .enumerate()
                .map(|(i, o)| (o.uscc.as_str(), i))
                .collect();
            let mut found = vec![false; scheme.overrides.len()];
            let first_override = reasons.len();
            for o in &scheme.overrides {
                reasons.push(format!("调档: {}", o.reason));
            }
            for row in 0..n {
                if let Some(&i) = wanted.get(uscc.get(row)) {
                    found[i] = true;
                    class[row] = scheme.overrides[i].class as u8;
                    adjusted_by[row] = (first_override + i + 1) as u32;
                }
            }
            for (o, hit) in scheme.overrides.iter().zip(found) {
                if !hit {
                    warnings.push(format!(
                        "调档名单中的 {} 不在评价数据中 (override for a code not in the input)",
                        o.uscc
                    ));
                }
            }
        }
    }

    Results {
        item_keys: keys.clone(),
        groups,
        group_of,
        stats,
        scores,
        imputed,
        adjustment,
        total,
        rank,
        class,
        initial_class,
        adjusted_by,
        reasons,
        class_names: scheme.classes.iter().map(|c| c.name.clone()).collect(),
        order,
        specs: items
            .iter()
            .map(|pair| pair.map(|o| o.map(|i| (i.numerator.clone(), i.denominator.clone()))))
            .collect(),
        warnings,
    }
}

/// The rows in output order, each group's after the previous one's: by total (descending),
/// ties by uscc, then by row. Returns the packed keys ([`SortKeys::row`] gives the row) and
/// where each group's rows start (`starts[g]..starts[g + 1]`).
///
/// Each row is one u64: its group, the high bits of its total's descending key, its row.
/// Sorting plain integers is much faster than a comparator, and a u64 twice as fast as a
/// (group, key, row) u128. For a million rows in a few groups 40-odd bits of the key fit, so
/// totals that share them are as good as equal ones; such a run is then put in order by the
/// whole key, then by uscc.
fn rank_order(
    group_of: &[u32],
    n_groups: usize,
    total: &[f64],
    uscc: &StrColumn,
) -> (Vec<u64>, SortKeys, Vec<usize>) {
    let n = group_of.len();
    let keys = SortKeys::new(n, n_groups);
    let mut sorted: Vec<u64> = Vec::with_capacity(n);
    sorted.par_extend(
        group_of
            .par_iter()
            .zip(total.par_iter())
            .enumerate()
            .map(|(row, (&g, &t))| keys.pack(g, descending_key(t), row)),
    );
    crate::sort::sort_keys(&mut sorted);
    // Runs of equal (group, high key bits) never span groups: the group is part of the run.
    let run = |k: u64| k >> keys.row_bits;
    let mut i = 0;
    while i + 1 < n {
        if run(sorted[i]) == run(sorted[i + 1]) {
            let r = run(sorted[i]);
            let end = i + sorted[i..].partition_point(|&k| run(k) == r);
            // Stable, over rows in ascending order: equal totals and codes stay by row.
            sorted[i..end].sort_by(|&a, &b| {
                let (ra, rb) = (keys.row(a), keys.row(b));
                descending_key(total[ra])
                    .cmp(&descending_key(total[rb]))
                    .then_with(|| uscc.get(ra).cmp(uscc.get(rb)))
            });
            i = end;
        } else {
            i += 1;
        }
    }
    let mut starts = Vec::with_capacity(n_groups + 1);
    starts.push(0);
    for g in 0..n_groups {
        let from = starts[g];
        starts.push(from + sorted[from..].partition_point(|&k| keys.group(k) == g));
    }
    (sorted, keys, starts)
}

/// How a row's sort key is packed into a u64: group, high bits of the total's key, row.
#[derive(Debug, Clone, Copy)]
struct SortKeys {
    row_bits: u32,
    group_bits: u32,
}

impl SortKeys {
    fn new(rows: usize, groups: usize) -> SortKeys {
        let bits = |count: usize| usize::BITS - count.saturating_sub(1).leading_zeros();
        SortKeys {
            row_bits: bits(rows),
            group_bits: bits(groups),
        }
    }

    #[inline]
    fn pack(&self, group: u32, key: u64, row: usize) -> u64 {
        // Row and group bits together are at most 64: rows < 2^32, and as many groups as would
        // make them more could not be held in memory.
        debug_assert!(self.row_bits + self.group_bits <= 64);
        let key_bits = 64u32.saturating_sub(self.row_bits + self.group_bits);
        let high = key.checked_shr(64 - key_bits).unwrap_or(0);
        let group = u64::from(group)
            .checked_shl(64 - self.group_bits)
            .unwrap_or(0);
        group | high.checked_shl(self.row_bits).unwrap_or(0) | row as u64
    }

    #[inline]
    fn row(&self, k: u64) -> usize {
        (k & (u64::MAX.checked_shr(64 - self.row_bits).unwrap_or(0))) as usize
    }

    #[inline]
    fn group(&self, k: u64) -> usize {
        k.checked_shr(64 - self.group_bits).unwrap_or(0) as usize
    }
}

/// Maps a total to a `u64` whose ascending order is the totals' descending order.
#[inline]
fn descending_key(x: f64) -> u64 {
    let bits = x.to_bits();
    let ascending = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    !ascending
}

/// Splits each column into `CHUNK`-row slices and regroups them chunk by chunk.
fn chunks_mut<T: Send>(cols: &mut [Vec<T>]) -> Vec<Vec<&mut [T]>> {
    let n = cols.first().map_or(0, Vec::len);
    let mut out: Vec<Vec<&mut [T]>> = (0..n.div_ceil(CHUNK))
        .map(|_| Vec::with_capacity(cols.len()))
        .collect();
    for col in cols.iter_mut() {
        for (ci, slice) in col.chunks_mut(CHUNK).enumerate() {
            out[ci].push(slice);
        }
    }
    out
}

/// Adds per-chunk partial sums in chunk order (deterministic whatever the thread count).
fn sum_in_order<T: Copy>(
    partials: Vec<Vec<T>>,
    len: usize,
    zero: T,
    add: impl Fn(T, T) -> T,
) -> Vec<T> {
    let mut acc = vec![zero; len];
    for p in partials {
        for (a, b) in acc.iter_mut().zip(p) {
            *a = add(*a, b);
        }
    }
    acc
}

/// Works out each row's group and the list of groups in output order.
fn assign_groups(table: &InputTable, scheme: &Scheme) -> (Vec<u32>, Vec<GroupInfo>) {
    let g = &scheme.grouping;
    let n = table.len();
    let scales: Vec<Option<Scale>> = if g.by_scale {
        Scale::ALL.iter().copied().map(Some).collect()
    } else {
        vec![None]
    };
    let industries: Vec<Option<String>> = match &g.industry {
        Some(ind) => ind.names.iter().cloned().map(Some).collect(),
        None => vec![None],
    };
    let industry_col = g.industry.as_ref().and_then(|_| table.text("industry"));
    let town_col = g.by_town.then(|| table.text("town")).flatten();

    // Towns: distinct names, sorted, so output order does not depend on input order.
    let (towns, town_id): (Vec<Option<String>>, Vec<u32>) = match town_col {
        Some(col) => {
            let mut ids: FxHashMap<&str, u32> = FxHashMap::default();
            let mut names: Vec<&str> = Vec::new();
            let raw: Vec<u32> = col
                .iter()
                .map(|t| {
                    *ids.entry(t).or_insert_with(|| {
                        names.push(t);
                        names.len() as u32 - 1
                    })
                })
                .collect();
            let mut sorted: Vec<u32> = (0..names.len() as u32).collect();
            sorted.sort_by_key(|&i| names[i as usize]);
            let mut remap = vec![0u32; names.len()];
            for (new, &old) in sorted.iter().enumerate() {
                remap[old as usize] = new as u32;
            }
            (
                sorted
                    .iter()
                    .map(|&i| Some(names[i as usize].to_owned()))
                    .collect(),
                raw.into_iter().map(|i| remap[i as usize]).collect(),
            )
        }
        None if g.by_town => (vec![Some(String::new())], Vec::new()),
        None => (vec![None], Vec::new()),
    };

    let (n_ind, n_town) = (industries.len(), towns.len());
    let mut groups = Vec::with_capacity(scales.len() * n_ind * n_town);
    for s in &scales {
        for ind in &industries {
            for t in &towns {
                groups.push(GroupInfo {
                    scale: *s,
                    industry: ind.clone(),
                    town: t.clone(),
                    size: 0,
                });
            }
        }
    }
    let scale = table.scale();
    let by_scale = g.by_scale;
    let industry_groups = g.industry.as_ref();
    let group_of: Vec<u32> = (0..n)
        .into_par_iter()
        .map(|row| {
            let s = if by_scale { scale[row] as usize } else { 0 };
            let i = match (industry_groups, industry_col) {
                (Some(ig), Some(col)) => ig.group_of(col.get(row)),
                (Some(ig), None) => ig.names.len() - 1,
                _ => 0,
            };
            let t = town_id.get(row).copied().unwrap_or(0) as usize;
            ((s * n_ind + i) * n_town + t) as u32
        })
        .collect();
    (group_of, groups)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAN: f64 = f64::NAN;

    /// The worked example of `shared/contracts/eval.md` as columns.
    pub(crate) fn worked_example() -> InputTable {
        let uscc: StrColumn = ["E1", "E2", "E3", "E4", "E5", "S1", "S2", "S3"]
            .into_iter()
            .collect();
        let (a, b) = (Scale::Above, Scale::Below);
        let mut t = InputTable::new(uscc, vec![a, a, a, a, a, b, b, b]).expect("table");
        let cols: [(&str, [f64; 8]); 9] = [
            ("land_mu", [30.0, 50.0, 20.0, 80.0, 40.0, 10.0, 6.0, 4.0]),
            (
                "tax_wan",
                [900.0, 600.0, 100.0, 3000.0, 200.0, 150.0, 30.0, 3.0],
            ),
            (
                "added_value_wan",
                [5000.0, 4000.0, 800.0, 15000.0, 2000.0, NAN, NAN, NAN],
            ),
            (
                "energy_tce",
                [1500.0, 3000.0, 500.0, 4000.0, 2500.0, NAN, NAN, NAN],
            ),
            ("emission_t", [1.0, 2.0, 0.3, 2.5, NAN, NAN, NAN, NAN]),
            (
                "employees",
                [200.0, 300.0, 60.0, 600.0, 150.0, NAN, NAN, NAN],
            ),
            ("rd_wan", [400.0, 150.0, 0.0, 900.0, 20.0, NAN, NAN, NAN]),
            (
                "revenue_wan",
                [12000.0, 15000.0, 3000.0, 30000.0, 6000.0, NAN, NAN, NAN],
            ),
            (
                "electricity_wkwh",
                [NAN, NAN, NAN, NAN, NAN, 500.0, 200.0, 60.0],
            ),
        ];
        for (name, values) in cols {
            t.set_numeric(name, values.to_vec()).expect("column");
        }
        t
    }

    fn r4(x: f64) -> f64 {
        (x * 1e4).round() / 1e4
    }

    #[test]
    fn worked_example_scores_ranks_and_classes() {
        let t = worked_example();
        let r = evaluate(&t, &Scheme::default());
        let order: Vec<&str> = r
            .order()
            .iter()
            .map(|&i| t.uscc().get(i as usize))
            .collect();
        assert_eq!(order, ["E4", "E1", "E2", "E3", "E5", "S1", "S2", "S3"]);
        let totals: Vec<f64> = r
            .order()
            .iter()
            .map(|&i| (r.total(i as usize) * 100.0).round() / 100.0)
            .collect();
        assert_eq!(
            totals,
            [137.95, 121.54, 51.31, 36.74, 35.91, 128.47, 53.45, 13.86]
        );
        let classes: Vec<&str> = r.order().iter().map(|&i| r.class(i as usize)).collect();
        assert_eq!(classes, ["A", "B", "B", "C", "D", "B", "C", "D"]);
        // E1 step by step.
        let e1: Vec<f64> = (0..6)
            .map(|k| r4(r.score(k, 0).expect("applies")))
            .collect();
        assert_eq!(e1, [37.3490, 24.4810, 24.7463, 10.1424, 13.7817, 11.0375]);
        assert_eq!(r.score(6, 0), None, "规下 item does not apply to 规上");
        assert_eq!(r.score(1, 5), None);
        assert_eq!(r.pct(1), 0.6);
    }

    #[test]
    fn missing_item_gets_the_group_mean_with_provenance() {
        let t = worked_example();
        let r = evaluate(&t, &Scheme::default());
        let emission = 3;
        assert!(r.imputed(emission, 4), "E5 has no emission data");
        assert!(!r.imputed(emission, 0));
        assert_eq!(r4(r.score(emission, 4).expect("imputed")), 7.9449);
        let stat = r.item_stat(emission, 4, Scale::Above).expect("stat");
        assert_eq!(stat.with_data, 4);
        assert_eq!(stat.benchmark, 4929.81);
        assert_eq!(r.value(&t, emission, 4), None);
        assert_eq!(r.value(&t, emission, 0), Some(5000.0));
    }

    #[test]
    fn cap_and_floor() {
        // Cap 亩均税收 at 1.2 × weight for 规上 and allow negative scores for 规下.
        let text = crate::scheme::DEFAULT_SCHEME_TOML
            .replace(
                "weight = 30\nbenchmark = 24.097",
                "weight = 30\nbenchmark = 24.097\ncap_multiple = 1.2",
            )
            .replace(
                "weight = 50\nbenchmark = 11.5932",
                "weight = 50\nbenchmark = 11.5932\nfloor = \"none\"",
            );
        let s = Scheme::parse(&text).expect("scheme");
        let mut t = worked_example();
        let mut tax = t.numeric("tax_wan").expect("tax").to_vec();
        tax[7] = -8.0; // S3 after a refund
        t.set_numeric("tax_wan", tax).expect("tax");
        let r = evaluate(&t, &s);
        assert_eq!(r.score(0, 3), Some(36.0), "E4's 46.69 is capped at 36");
        assert_eq!(
            r4(r.score(0, 0).expect("E1")),
            37.3490 - 1.349,
            "E1 capped too"
        );
        assert_eq!(
            r4(r.score(0, 7).expect("S3")),
            -8.6257,
            "no floor for 规下 亩均税收"
        );
        assert_eq!(
            r.score(6, 7),
            Some(0.0),
            "default floor 0 still applies to 单位电耗税收"
        );
    }

    #[test]
    fn group_average_benchmark() {
        let text = crate::scheme::DEFAULT_SCHEME_TOML
            .replace("benchmark = 11.5932", "benchmark = \"group_average\"");
        let r = evaluate(&worked_example(), &Scheme::parse(&text).expect("scheme"));
        // Σtax / Σland over S1–S3 = 183 / 20 = 9.15.
        let stat = r.item_stat(0, 5, Scale::Below).expect("stat");
        assert_eq!(stat.benchmark, 183.0 / 20.0);
        assert_eq!(r4(r.score(0, 5).expect("S1")), r4(15.0 / 9.15 * 50.0));
        // 规上 keeps its fixed benchmark.
        assert_eq!(
            r.item_stat(0, 0, Scale::Above).expect("stat").benchmark,
            24.097
        );
    }

    #[test]
    fn class_bounds_are_inclusive() {
        // Ten firms, bounds 0.2/0.6/0.95: ranks 2, 6 and 9 sit exactly on or under a bound.
        let codes: Vec<String> = (0..10).map(|i| format!("F{i:02}")).collect();
        let uscc: StrColumn = codes.iter().map(String::as_str).collect();
        let mut t = InputTable::new(uscc, vec![Scale::Below; 10]).expect("table");
        t.set_numeric("land_mu", vec![1.0; 10]).expect("land");
        t.set_numeric("tax_wan", (0..10).map(|i| 100.0 - i as f64).collect())
            .expect("tax");
        t.set_numeric("electricity_wkwh", vec![1.0; 10])
            .expect("kwh");
        let r = evaluate(&t, &Scheme::default());
        let classes: String = (0..10).map(|i| r.class(i)).collect();
        assert_eq!(classes, "AABBBBCCCD");
    }

    #[test]
    fn rank_order_is_the_plain_comparator_sort() {
        // Totals that share the high half of their sort key (neighbouring doubles), equal
        // totals under different codes, both signs, zero, in three groups.
        let n = 5000;
        let mut state = 0x0123_4567_89AB_CDEF_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut total = Vec::with_capacity(n);
        let mut group_of = Vec::with_capacity(n);
        let mut codes = Vec::with_capacity(n);
        for i in 0..n {
            let r = next();
            let base: f64 = [0.0, -0.0, 17.25, -3.5, 1e6, 123.456_789][(r % 6) as usize];
            let t = match (r >> 8) % 4 {
                0 => base,
                1 => f64::from_bits(base.to_bits() + (r >> 16) % 64),
                2 => base + ((r >> 16) % 1000) as f64 * 1e-9,
                _ => ((r >> 16) % 100_000) as f64 / 7.0,
            };
            total.push(t);
            group_of.push(((r >> 40) % 3) as u32);
            codes.push(format!("C{:04}", (r >> 44) % 500 + (i as u64 % 3)));
        }
        let uscc: StrColumn = codes.iter().map(String::as_str).collect();
        let mut want: Vec<usize> = (0..n).collect();
        want.sort_by(|&a, &b| {
            group_of[a]
                .cmp(&group_of[b])
                .then(descending_key(total[a]).cmp(&descending_key(total[b])))
                .then(uscc.get(a).cmp(uscc.get(b)))
                .then(a.cmp(&b))
        });
        // A few groups, and so many that fewer bits of the totals fit in a key.
        for n_groups in [4, 1 << 20] {
            let (sorted, keys, starts) = rank_order(&group_of, n_groups, &total, &uscc);
            let got: Vec<usize> = sorted.iter().map(|&k| keys.row(k)).collect();
            assert_eq!(got, want, "{n_groups} groups");
            for g in 0..n_groups {
                let count = group_of.iter().filter(|&&x| x as usize == g).count();
                assert_eq!(starts[g + 1] - starts[g], count, "group {g}");
            }
        }
        // One row, one group: no bits for either.
        let one: StrColumn = ["A"].into_iter().collect();
        let (sorted, keys, starts) = rank_order(&[0], 1, &[1.5], &one);
        assert_eq!((keys.row(sorted[0]), starts), (0, vec![0, 1]));
    }

    #[test]
    fn ties_rank_by_uscc() {
        let uscc: StrColumn = ["Z9", "A1", "M5"].into_iter().collect();
        let mut t = InputTable::new(uscc, vec![Scale::Below; 3]).expect("table");
        t.set_numeric("land_mu", vec![2.0; 3]).expect("land");
        t.set_numeric("tax_wan", vec![10.0; 3]).expect("tax");
        t.set_numeric("electricity_wkwh", vec![5.0; 3])
            .expect("kwh");
        let r = evaluate(&t, &Scheme::default());
        assert_eq!([r.rank(0), r.rank(1), r.rank(2)], [3, 1, 2]);
    }

    #[test]
    fn veto_and_override() {
        let text = crate::scheme::DEFAULT_SCHEME_TOML
            .replace("extra_columns = []", "extra_columns = [\"major_accident\"]");
        let s = Scheme::parse(&format!(
            "{text}\n[[vetoes]]\ncolumn = \"major_accident\"\nclass = \"D\"\nreason = \"发生较大及以上安全事故\"\n\
             [[overrides]]\nuscc = \"E3\"\nclass = \"A\"\nreason = \"县政府专题会议纪要〔2023〕5号\"\n\
             [[overrides]]\nuscc = \"X9\"\nclass = \"B\"\nreason = \"not in data\"\n"
        ))
        .expect("scheme");
        let mut t = worked_example();
        let mut flag = vec![f64::NAN; 8];
        flag[3] = 1.0; // E4
        t.set_numeric("major_accident", flag).expect("flag");
        let r = evaluate(&t, &s);
        assert_eq!((r.initial_class(3), r.class(3)), ("A", "D"));
        assert_eq!(r.adjust_reason(3), Some("一票否决: 发生较大及以上安全事故"));
        assert_eq!(r.rank(3), 1, "a veto changes the class, not the rank");
        assert_eq!((r.initial_class(2), r.class(2)), ("C", "A"));
        assert_eq!(
            r.adjust_reason(2),
            Some("调档: 县政府专题会议纪要〔2023〕5号")
        );
        assert_eq!(r.adjust_reason(0), None);
        assert_eq!(r.warnings().len(), 1);
    }

    #[test]
    fn a_veto_never_upgrades() {
        let text = crate::scheme::DEFAULT_SCHEME_TOML
            .replace("extra_columns = []", "extra_columns = [\"pollution\"]");
        let s = Scheme::parse(&format!(
            "{text}\n[[vetoes]]\ncolumn = \"pollution\"\nclass = \"C\"\nreason = \"环保不达标\"\n"
        ))
        .expect("scheme");
        let mut t = worked_example();
        let mut flag = vec![0.0; 8];
        flag[0] = 1.0; // E1: B → C
        flag[4] = 1.0; // E5: D stays D
        t.set_numeric("pollution", flag).expect("flag");
        let r = evaluate(&t, &s);
        assert_eq!((r.initial_class(0), r.class(0)), ("B", "C"));
        assert_eq!((r.initial_class(4), r.class(4)), ("D", "D"));
        assert_eq!(r.adjust_reason(4), None);
        assert_eq!(r.class(1), "B", "a 0 flag is no veto");
    }

    #[test]
    fn bonus_and_deduction_columns() {
        let text = crate::scheme::DEFAULT_SCHEME_TOML.replace(
            "extra_columns = []",
            "extra_columns = [\"bonus\", \"penalty\"]",
        );
        let s = Scheme::parse(&format!(
            "{text}\n[[adjustments]]\ncolumn = \"bonus\"\nkind = \"bonus\"\ncap = 5\n\
             [[adjustments]]\ncolumn = \"penalty\"\nkind = \"deduction\"\n"
        ))
        .expect("scheme");
        let mut t = worked_example();
        let mut bonus = vec![f64::NAN; 8];
        bonus[4] = 8.0; // E5: capped at 5
        let mut penalty = vec![f64::NAN; 8];
        penalty[2] = 10.0; // E3
        t.set_numeric("bonus", bonus).expect("bonus");
        t.set_numeric("penalty", penalty).expect("penalty");
        let r = evaluate(&t, &s);
        assert_eq!(r.adjustment(4), 5.0);
        assert_eq!((r.total(4) * 100.0).round() / 100.0, 40.91);
        assert_eq!((r.total(2) * 100.0).round() / 100.0, 26.74);
        assert_eq!([r.rank(4), r.rank(2)], [4, 5], "E5 overtakes E3");
    }

    #[test]
    fn grouping_by_town_ranks_each_town_separately() {
        let text = crate::scheme::DEFAULT_SCHEME_TOML
            .replace("by = [\"scale\"]", "by = [\"scale\", \"town\"]");
        let s = Scheme::parse(&text).expect("scheme");
        let mut t = worked_example();
        let towns: StrColumn = [
            "石浦镇",
            "丹东街道",
            "石浦镇",
            "丹东街道",
            "石浦镇",
            "石浦镇",
            "石浦镇",
            "丹东街道",
        ]
        .into_iter()
        .collect();
        t.set_text("town", towns).expect("town");
        let r = evaluate(&t, &s);
        let order: Vec<&str> = r
            .order()
            .iter()
            .map(|&i| t.uscc().get(i as usize))
            .collect();
        // above/丹东街道, above/石浦镇, below/丹东街道, below/石浦镇 (towns sorted by code point).
        assert_eq!(order, ["E4", "E2", "E1", "E3", "E5", "S3", "S1", "S2"]);
        assert_eq!([r.rank(3), r.rank(1), r.rank(0)], [1, 2, 1]);
        let labels: Vec<String> = r.groups().map(GroupInfo::label).collect();
        assert_eq!(
            labels,
            [
                "above / 丹东街道",
                "above / 石浦镇",
                "below / 丹东街道",
                "below / 石浦镇"
            ]
        );
    }

    /// Asserts two evaluations hold the same bits (NaN compared as bits too).
    fn assert_same_results(a: &Results, b: &Results) {
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
        assert_eq!(a.scores.len(), b.scores.len());
        for (x, y) in a.scores.iter().zip(&b.scores) {
            assert_eq!(bits(x), bits(y));
        }
        assert_eq!(a.imputed, b.imputed);
        assert_eq!(bits(&a.total), bits(&b.total));
        assert_eq!(bits(&a.adjustment), bits(&b.adjustment));
        assert_eq!(a.rank, b.rank);
        assert_eq!(a.class, b.class);
        assert_eq!(a.initial_class, b.initial_class);
        assert_eq!(a.adjusted_by, b.adjusted_by);
        assert_eq!(a.order, b.order);
        assert_eq!(a.groups, b.groups);
        assert_eq!(a.warnings, b.warnings);
        let stat_bits = |s: &Vec<Vec<Option<ItemStat>>>| -> Vec<Option<(u64, usize, u64)>> {
            s.iter()
                .flatten()
                .map(|o| {
                    o.map(|i| {
                        (
                            i.benchmark.to_bits(),
                            i.with_data,
                            i.missing_score.to_bits(),
                        )
                    })
                })
                .collect()
        };
        assert_eq!(stat_bits(&a.stats), stat_bits(&b.stats));
    }

    #[test]
    fn owned_evaluation_gives_the_same_bits() {
        // The default scheme, and one whose columns are also read by 加减分, 一票否决 and a
        // group-average benchmark, grouped by town: those columns must outlive the items.
        let text = crate::scheme::DEFAULT_SCHEME_TOML
            .replace("benchmark = 11.5932", "benchmark = \"group_average\"")
            .replace("by = [\"scale\"]", "by = [\"scale\", \"town\"]")
            .replace(
                "extra_columns = []",
                "extra_columns = [\"bonus\", \"accident\"]",
            );
        let mixed = Scheme::parse(&format!(
            "{text}\n[[adjustments]]\ncolumn = \"bonus\"\nkind = \"bonus\"\ncap = 5\n\
             [[adjustments]]\ncolumn = \"employees\"\nkind = \"deduction\"\ncap = 1\n\
             [[vetoes]]\ncolumn = \"accident\"\nclass = \"D\"\nreason = \"事故\"\n\
             [[vetoes]]\ncolumn = \"rd_wan\"\nclass = \"C\"\nreason = \"r\"\n"
        ))
        .expect("scheme");
        for (scheme, rows) in [(Scheme::default(), 70_000), (mixed, 40_000)] {
            let mut t = crate::generate::facts_table(rows, 11);
            t.set_numeric("bonus", (0..rows).map(|i| (i % 7) as f64).collect())
                .expect("bonus");
            t.set_numeric(
                "accident",
                (0..rows).map(|i| f64::from(i % 97 == 0)).collect(),
            )
            .expect("accident");
            let borrowed = evaluate(&t, &scheme);
            let (owned, uscc, scale) = evaluate_owned(t.clone(), &scheme);
            assert_same_results(&borrowed, &owned);
            assert_eq!((&uscc, &scale[..]), (t.uscc(), t.scale()));
        }
        let (r, _, _) = evaluate_owned(worked_example(), &Scheme::default());
        assert_eq!(
            r.score(3, 4).map(r4),
            Some(7.9449),
            "the contract's worked example"
        );
    }

    #[test]
    fn owned_evaluation_writes_its_scores_over_the_input_columns() {
        let t = crate::generate::facts_table(50_000, 3);
        let inputs: Vec<*const f64> = t
            .numeric_names()
            .filter_map(|name| t.numeric(name))
            .map(<[f64]>::as_ptr)
            .collect();
        let (r, _, _) = evaluate_owned(t, &Scheme::default());
        let reused: Vec<bool> = r
            .scores
            .iter()
            .map(Vec::as_ptr)
            .chain([r.total.as_ptr()])
            .map(|p| inputs.contains(&p))
            .collect();
        // Default order: land_mu is free after va_per_mu (item 1), energy_tce after item 2, and
        // so on; only the first two items and nothing before them need fresh columns.
        assert_eq!(reused, [false, false, true, true, true, true, true, true]);
    }

    #[test]
    fn same_results_on_one_thread() {
        let t = worked_example();
        let many = evaluate(&t, &Scheme::default());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        let one = pool.install(|| evaluate(&t, &Scheme::default()));
        assert_eq!(many.total_column(), one.total_column());
        assert_eq!(many.order(), one.order());
    }
}
