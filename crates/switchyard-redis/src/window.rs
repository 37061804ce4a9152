//! UTC day and month windows, and money in micro-dollars.
//!
//! Spend is kept in whole micro-dollars (integers in Redis, added exactly),
//! so sums are exact to the cent however many calls they add up.

use std::fmt;

/// US dollars as whole micro-dollars (1 USD = 1,000,000).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Micros(pub i64);

impl Micros {
    /// The nearest micro-dollar amount to `usd` (negative, NaN and
    /// infinite amounts are zero; amounts past `i64` saturate).
    pub fn from_usd(usd: f64) -> Micros {
        if usd.is_nan() || usd <= 0.0 {
            return Micros(0);
        }
        // `as` saturates at i64::MAX (and infinity becomes i64::MAX).
        #[allow(clippy::cast_possible_truncation, reason = "rounded and saturating")]
        Micros((usd * 1e6).round() as i64)
    }

    /// The amount in dollars.
    pub fn usd(self) -> f64 {
        #[allow(clippy::cast_precision_loss, reason = "display only")]
        let micros = self.0 as f64;
        micros / 1e6
    }
}

impl fmt::Display for Micros {
    /// `$1.234567`, trailing zeros after the cents dropped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let (whole, frac) = (abs / 1_000_000, abs % 1_000_000);
        let mut digits = format!("{frac:06}");
        while digits.len() > 2 && digits.ends_with('0') {
            digits.pop();
        }
        write!(f, "{sign}${whole}.{digits}")
    }
}

/// A spend window: a UTC calendar day or month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Window {
    /// From 00:00 UTC to the next 00:00 UTC.
    Day,
    /// From the first of the month, 00:00 UTC, to the first of the next.
    Month,
}

impl Window {
    /// Both windows.
    pub const ALL: [Window; 2] = [Window::Day, Window::Month];

    /// `daily` or `monthly`.
    pub fn adjective(self) -> &'static str {
        match self {
            Window::Day => "daily",
            Window::Month => "monthly",
        }
    }

    /// The window holding `unix_secs` (seconds since 1970-01-01 UTC).
    pub fn at(self, unix_secs: i64) -> WindowSpan {
        let days = unix_secs.div_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        match self {
            Window::Day => WindowSpan {
                window: self,
                id: format!("d{y:04}-{m:02}-{d:02}"),
                resets_at: (days + 1) * 86_400,
            },
            Window::Month => {
                let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                WindowSpan {
                    window: self,
                    id: format!("m{y:04}-{m:02}"),
                    resets_at: days_from_civil(ny, nm, 1) * 86_400,
                }
            }
        }
    }

    /// How long a window's keys stay in Redis after it ends (read by
    /// reports of the previous day or month).
    pub(crate) fn kept_after_end_secs(self) -> i64 {
        match self {
            Window::Day => 8 * 86_400,
            Window::Month => 62 * 86_400,
        }
    }
}

/// One day or month: its id in key names and when it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowSpan {
    /// Day or month.
    pub window: Window,
    /// `d2026-12-02` or `m2026-12`.
    pub id: String,
    /// When the next window starts (Unix seconds, UTC).
    pub resets_at: i64,
}

/// `2026-12-03T00:00:00Z` for Unix seconds.
pub fn rfc3339(unix_secs: i64) -> String {
    let days = unix_secs.div_euclid(86_400);
    let secs = unix_secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Year, month (1-12) and day (1-31) of a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`, proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-01-31T23:59:59Z.
    const JAN_31_LAST_SECOND: i64 = 1_769_903_999;

    #[test]
    fn day_and_month_windows_end_at_utc_midnight() {
        let day = Window::Day.at(JAN_31_LAST_SECOND);
        assert_eq!(day.id, "d2026-01-31");
        assert_eq!(rfc3339(day.resets_at), "2026-02-01T00:00:00Z");
        let month = Window::Month.at(JAN_31_LAST_SECOND);
        assert_eq!(month.id, "m2026-01");
        assert_eq!(month.resets_at, day.resets_at);
        let next = Window::Day.at(JAN_31_LAST_SECOND + 1);
        assert_eq!(next.id, "d2026-02-01");
        assert_eq!(Window::Month.at(JAN_31_LAST_SECOND + 1).id, "m2026-02");
    }

    #[test]
    fn leap_days_and_year_ends() {
        // 2028-02-29T12:00:00Z.
        let leap = 1_835_438_400;
        assert_eq!(Window::Day.at(leap).id, "d2028-02-29");
        assert_eq!(
            rfc3339(Window::Month.at(leap).resets_at),
            "2028-03-01T00:00:00Z"
        );
        // 2026-12-31T08:00:00Z.
        let eve = 1_798_704_000;
        assert_eq!(Window::Day.at(eve).id, "d2026-12-31");
        assert_eq!(
            rfc3339(Window::Month.at(eve).resets_at),
            "2027-01-01T00:00:00Z"
        );
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }

    #[test]
    fn days_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn money_rounds_to_the_micro_dollar_and_prints_cents() {
        assert_eq!(Micros::from_usd(0.000_001_4), Micros(1));
        assert_eq!(Micros::from_usd(-3.0), Micros(0));
        assert_eq!(Micros::from_usd(f64::NAN), Micros(0));
        assert_eq!(Micros::from_usd(f64::INFINITY), Micros(i64::MAX));
        assert_eq!(Micros(100_000_000).to_string(), "$100.00");
        assert_eq!(Micros(1_234_500).to_string(), "$1.2345");
        assert_eq!(Micros(-50_000).to_string(), "-$0.05");
    }
}
