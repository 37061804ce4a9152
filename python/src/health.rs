//! `switchyard.Health`: which models are down, shared by every router and
//! thread of a process (LANGUAGE.md section 8). A decision made with it
//! skips down models; failures reported by the host cool a model down.

use std::sync::Arc;
use std::time::Duration;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use switchyard::{HealthPolicy, SystemClock};

/// Model health: `failures` failures within `window` seconds mark a model
/// down for `cooldown` seconds (default: 3 in 60 s, 60 s down). Safe to
/// share across threads.
#[pyclass(frozen, module = "switchyard")]
pub struct Health {
    pub inner: Arc<switchyard::Health>,
}

/// Seconds as a duration; negative, NaN and infinite are refused.
fn seconds(what: &str, s: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(s).map_err(|_| {
        PyValueError::new_err(format!(
            "{what} must be a finite number of seconds >= 0, got {s}"
        ))
    })
}

#[pymethods]
impl Health {
    #[new]
    #[pyo3(signature = (*, failures = 3, window = 60.0, cooldown = 60.0))]
    fn new(failures: u32, window: f64, cooldown: f64) -> PyResult<Self> {
        let policy = HealthPolicy {
            failures,
            window: seconds("window", window)?,
            cooldown: seconds("cooldown", cooldown)?,
        };
        Ok(Health {
            inner: Arc::new(switchyard::Health::new(
                policy,
                Arc::new(SystemClock::default()),
            )),
        })
    }

    /// Marks `model` down for `seconds` from now (never shortening a
    /// current cooldown).
    fn mark_down(&self, model: &str, seconds: f64) -> PyResult<()> {
        self.inner
            .mark_down(model, self::seconds("seconds", seconds)?);
        Ok(())
    }

    /// Marks `model` up now.
    fn mark_up(&self, model: &str) {
        self.inner.mark_up(model);
    }

    /// Reports a failed call to `model`; enough of them cool it down.
    fn report_failure(&self, model: &str) {
        self.inner.report_failure(model);
    }

    /// Reports a successful call to `model`: its failure count restarts.
    fn report_success(&self, model: &str) {
        self.inner.report_success(model);
    }

    /// Whether `model` is down now.
    fn is_down(&self, model: &str) -> bool {
        self.inner.is_down(model)
    }

    /// The models down now and the seconds left for each.
    fn down_models(&self) -> Vec<(String, f64)> {
        self.inner
            .down_models()
            .into_iter()
            .map(|(m, left)| (m, left.as_secs_f64()))
            .collect()
    }

    fn __repr__(&self) -> String {
        format!("<Health down={:?}>", self.down_models())
    }
}
