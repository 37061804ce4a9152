//! Limits that keep hostile or accidental input from exhausting the host.

/// Bounds on what the parser accepts; exceeding one is error E013.
///
/// ```
/// use switchyard_syntax::Limits;
/// let strict = Limits { max_depth: 16, ..Limits::default() };
/// assert_eq!(strict.max_file_bytes, 4 * 1024 * 1024);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest source file, in bytes. Default 4 MiB.
    pub max_file_bytes: usize,
    /// Deepest nesting of parentheses, brackets, braces and `not`s.
    /// Default 64; values above [`Limits::MAX_DEPTH_CEILING`] are treated as
    /// the ceiling, so a host cannot configure its way into a stack overflow.
    pub max_depth: usize,
    /// Most rules in one ruleset (all files together). Default 100,000.
    pub max_rules: usize,
}

impl Limits {
    /// The deepest nesting any configuration allows.
    pub const MAX_DEPTH_CEILING: usize = 256;

    /// The nesting bound in force.
    pub fn depth(&self) -> usize {
        self.max_depth.min(Self::MAX_DEPTH_CEILING)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 4 * 1024 * 1024,
            max_depth: 64,
            max_rules: 100_000,
        }
    }
}
