//! A small deterministic random generator (SplitMix64) and the draws the
//! workload generators need: uniform, weighted, without replacement and
//! log-normal.

/// SplitMix64: the same seed gives the same sequence on every machine.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// Seeds the generator.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        // The top 53 bits, as many as an f64 mantissa holds.
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap_or(u64::MAX).max(1);
        usize::try_from(self.next_u64() % n).unwrap_or(0)
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high.saturating_sub(low) + 1)
    }

    /// One item, uniformly. `items` must not be empty.
    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    /// One item, with probability proportional to its weight.
    pub fn pick_weighted<T: Clone>(&mut self, items: &[T], weights: &[f64]) -> T {
        items[Cumulative::new(weights).draw(self)].clone()
    }

    /// `k` distinct items (at most all of them), uniformly, in the order
    /// drawn.
    pub fn sample<T: Clone>(&mut self, items: &[T], k: usize) -> Vec<T> {
        let mut pool: Vec<T> = items.to_vec();
        let k = k.min(pool.len());
        for i in 0..k {
            let j = i + self.below(pool.len() - i);
            pool.swap(i, j);
        }
        pool.truncate(k);
        pool
    }

    /// The indices of `k` distinct items, each drawn with probability
    /// proportional to its weight among those left (Efraimidis–Spirakis:
    /// the `k` largest keys `u^(1/w)`).
    pub fn sample_weighted(&mut self, weights: &[f64], k: usize) -> Vec<usize> {
        let mut keyed: Vec<(f64, usize)> = weights
            .iter()
            .enumerate()
            .map(|(i, w)| (self.unit().powf(1.0 / w), i))
            .collect();
        keyed.sort_by(|a, b| b.0.total_cmp(&a.0));
        keyed.into_iter().take(k).map(|(_, i)| i).collect()
    }

    /// Shuffles `items` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    /// A normal draw (Box–Muller).
    pub fn normal(&mut self, mean: f64, std_dev: f64) -> f64 {
        let u = 1.0 - self.unit(); // in (0, 1]: ln(u) is finite
        let v = self.unit();
        mean + std_dev * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// A log-normal draw: `exp` of a normal one with this mean and deviation.
    pub fn log_normal(&mut self, mean: f64, std_dev: f64) -> f64 {
        self.normal(mean, std_dev).exp()
    }
}

/// Cumulative weights, for drawing many times from the same weighted set.
#[derive(Clone, Debug)]
pub struct Cumulative(Vec<f64>);

impl Cumulative {
    /// The running sums of `weights`.
    pub fn new(weights: &[f64]) -> Self {
        let sums = weights
            .iter()
            .scan(0.0, |total, w| {
                *total += w;
                Some(*total)
            })
            .collect();
        Cumulative(sums)
    }

    /// An index, with probability proportional to its weight.
    pub fn draw(&self, rng: &mut Rng) -> usize {
        let total = self.0.last().copied().unwrap_or(0.0);
        let r = rng.unit() * total;
        self.0
            .partition_point(|&sum| sum <= r)
            .min(self.0.len().saturating_sub(1))
    }
}
