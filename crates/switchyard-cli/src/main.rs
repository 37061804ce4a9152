//! The `switchyard` command line (being written by the CLI helper).
fn main() {}
