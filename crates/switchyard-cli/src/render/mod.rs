//! What the command line prints besides diagnostics: [`decision`], the
//! human text of `eval`'s decisions and explanations, and [`chart`], the
//! numbers and bar charts of `bench` and `diff`. Diagnostics are rendered
//! by the `switchyard` crate's `render` module (one file per format), the
//! same code a host prints them with; [`diagnostics`] picks the format.

pub mod chart;
pub mod decision;

use switchyard::render::{self, Item};

use crate::cli::Format;

/// Renders diagnostics in `format`. `color` only matters to
/// [`Format::Human`]. The result ends with a line break unless it is empty.
pub fn diagnostics(format: Format, items: &[Item<'_>], color: bool) -> String {
    match format {
        Format::Human => render::human::render(items, color),
        Format::Json => render::json::render(items),
        Format::Github => render::github::render(items),
        Format::Sarif => render::sarif::render(items),
    }
}
