//! Sorting a million `u64` keys on every thread: one pass that puts each key in a bucket by
//! its leading bits that differ, then every bucket sorted on its own, small enough to stay in
//! cache.
//!
//! The duplicate check and the ranking each sort one `u64` a row. A parallel quicksort
//! (`par_sort_unstable`) reads and writes the whole array once per level of partitioning,
//! about a dozen times for a million keys; here it is read twice (histogram, scatter) and
//! each bucket is then sorted where it lies.

use rayon::prelude::*;

/// Bits of the bucket index: 2048 buckets, a few hundred keys each for a million.
const BUCKET_BITS: u32 = 11;

/// Below this many keys, a plain parallel sort.
const SMALL: usize = 1 << 16;

/// Sorts `keys` ascending (the same result as `sort_unstable`: keys are plain integers).
pub(crate) fn sort_keys(keys: &mut Vec<u64>) {
    let n = keys.len();
    if n < SMALL {
        keys.par_sort_unstable();
        return;
    }
    let (min, max) = keys
        .par_iter()
        .fold(|| (u64::MAX, 0), |(lo, hi), &k| (lo.min(k), hi.max(k)))
        .reduce(|| (u64::MAX, 0), |a, b| (a.0.min(b.0), a.1.max(b.1)));
    let differ = min ^ max;
    if differ == 0 {
        return;
    }
    // Every key shares the bits above the highest one that differs between the least and the
    // greatest: the bucket is the next BUCKET_BITS bits from there down, so buckets are in
    // the keys' order.
    let top = 63 - differ.leading_zeros();
    let shift = (top + 1).saturating_sub(BUCKET_BITS);
    let buckets = 1usize << (top + 1 - shift);
    let bucket = |k: u64| ((k >> shift) as usize) & (buckets - 1);

    // Per part of the input, how many of its keys go to each bucket.
    let parts = rayon::current_num_threads().max(1) * 4;
    let part_len = n.div_ceil(parts);
    let counts: Vec<Vec<usize>> = keys
        .par_chunks(part_len)
        .map(|part| {
            let mut c = vec![0usize; buckets];
            for &k in part {
                c[bucket(k)] += 1;
            }
            c
        })
        .collect();

    // The output cut into one slice per (part, bucket), bucket by bucket: each part writes
    // its keys of a bucket after those of the parts before it.
    // Zeroed by every thread, as the first write to a fresh page is where the kernel clears it.
    let mut out: Vec<u64> = crate::mem::filled_par(n, 0);
    let mut slices: Vec<Vec<&mut [u64]>> = counts.iter().map(|_| Vec::new()).collect();
    let mut bucket_ends = Vec::with_capacity(buckets);
    {
        let mut rest: &mut [u64] = &mut out;
        let mut at = 0;
        for b in 0..buckets {
            for (p, c) in counts.iter().enumerate() {
                let (slice, tail) = std::mem::take(&mut rest).split_at_mut(c[b]);
                slices[p].push(slice);
                rest = tail;
                at += c[b];
            }
            bucket_ends.push(at);
        }
        keys.par_chunks(part_len)
            .zip(slices.into_par_iter())
            .for_each(|(part, mut slices)| {
                let mut filled = vec![0usize; buckets];
                for &k in part {
                    let b = bucket(k);
                    slices[b][filled[b]] = k;
                    filled[b] += 1;
                }
            });
    }

    // Every bucket sorted where it lies.
    let mut pieces: Vec<&mut [u64]> = Vec::with_capacity(buckets);
    let mut rest: &mut [u64] = &mut out;
    let mut start = 0;
    for &end in &bucket_ends {
        let (piece, tail) = std::mem::take(&mut rest).split_at_mut(end - start);
        pieces.push(piece);
        rest = tail;
        start = end;
    }
    pieces.into_par_iter().for_each(|p| p.sort_unstable());
    *keys = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*: a fixed stream of test keys.
    fn keys(n: usize, seed: u64, f: impl Fn(u64, usize) -> u64) -> Vec<u64> {
        let mut s = seed;
        (0..n)
            .map(|i| {
                s ^= s >> 12;
                s ^= s << 25;
                s ^= s >> 27;
                f(s.wrapping_mul(0x2545_F491_4F6C_DD1D), i)
            })
            .collect()
    }

    #[test]
    fn sorts_as_sort_unstable_does() {
        let cases: Vec<(&str, Vec<u64>)> = vec![
            ("uniform", keys(300_000, 1, |r, _| r)),
            // Hash high, row low: the duplicate check's keys.
            (
                "hash and row",
                keys(200_000, 2, |r, i| (r & !0xFFFF_FFFF) | i as u64),
            ),
            // A few groups and clustered totals in the high bits: the ranking's keys.
            (
                "clustered",
                keys(250_000, 3, |r, i| {
                    (r % 3) << 62 | (0x3FF0_0000 + (r >> 40) % 5000) << 20 | i as u64
                }),
            ),
            ("equal", vec![7; 100_000]),
            ("two values", keys(100_000, 4, |r, _| r & 1)),
            (
                "extremes",
                keys(100_000, 5, |r, _| if r & 1 == 0 { 0 } else { u64::MAX }),
            ),
            ("small", keys(1000, 6, |r, _| r)),
            ("empty", Vec::new()),
        ];
        for (what, mut v) in cases {
            let mut want = v.clone();
            want.sort_unstable();
            sort_keys(&mut v);
            assert!(v == want, "{what}");
        }
    }
}
