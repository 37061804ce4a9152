//! Latency of single decisions: a log-linear histogram (as HdrHistogram
//! does) of nanoseconds, allocated once, so that recording a sample in the
//! measured loop allocates nothing, and per-thread histograms merge by
//! adding buckets.
//!
//! Values below 128 ns are exact; above, each power of two is split into 64
//! buckets, so a percentile is off by at most 1/128 (0.8%) of its value.
//! The maximum is kept exactly.

/// Sub-buckets per power of two (2^6).
const SUB_BITS: u32 = 6;
const SUB: usize = 1 << SUB_BITS;
/// Enough buckets for any `u64`.
const BUCKETS: usize = SUB + (64 - SUB_BITS as usize) * SUB;

/// A histogram of durations in nanoseconds.
#[derive(Clone, Debug)]
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: vec![0; BUCKETS],
            count: 0,
            max: 0,
        }
    }
}

/// The bucket of value `v`.
fn index(v: u64) -> usize {
    if v < SUB as u64 {
        return v as usize;
    }
    let shift = 63 - v.leading_zeros() - SUB_BITS;
    let sub = (v >> shift) as usize & (SUB - 1);
    SUB + shift as usize * SUB + sub
}

/// The middle of bucket `i`.
fn value(i: usize) -> u64 {
    if i < SUB {
        return i as u64;
    }
    let shift = (i - SUB) / SUB;
    let sub = ((i - SUB) % SUB) as u64;
    let low = (SUB as u64 + sub) << shift;
    low + ((1u64 << shift) - 1) / 2
}

impl Histogram {
    /// Records one duration.
    #[inline]
    pub fn record(&mut self, ns: u64) {
        if let Some(b) = self.buckets.get_mut(index(ns)) {
            *b += 1;
        }
        self.count += 1;
        self.max = self.max.max(ns);
    }

    /// Adds `other`'s samples to these.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.count += other.count;
        self.max = self.max.max(other.max);
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The largest sample.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// The value below which a fraction `q` (0 to 1) of the samples fall
    /// (the nearest-rank method); 0 without samples.
    pub fn quantile(&self, q: f64) -> u64 {
        if self.count == 0 {
            return 0;
        }
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        let mut seen = 0;
        for (i, &n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return value(i).min(self.max);
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_exact_then_within_a_percent() {
        for v in [0, 1, 63, 64, 127] {
            assert_eq!(value(index(v)), v);
        }
        for v in [128u64, 1_000, 2_345, 1 << 40, u64::MAX / 3, u64::MAX] {
            let got = value(index(v));
            let err = got.abs_diff(v) as f64 / v as f64;
            assert!(err <= 1.0 / 128.0, "{v} -> {got}");
            assert!(index(v) < BUCKETS);
        }
    }

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let mut h = Histogram::default();
        assert_eq!(h.quantile(0.5), 0);
        for v in 1..=100 {
            h.record(v);
        }
        assert_eq!(h.count(), 100);
        assert_eq!(h.quantile(0.5), 50);
        assert_eq!(h.quantile(0.9), 90);
        assert_eq!(h.quantile(0.99), 99);
        assert_eq!(h.quantile(1.0), 100);
        let mut other = Histogram::default();
        other.record(10_000);
        h.merge(&other);
        assert_eq!(h.max(), 10_000);
        assert_eq!(h.count(), 101);
        assert_eq!(h.quantile(1.0), 10_000);
    }
}
