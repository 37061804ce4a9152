//! The subcommands, one file each. Each exposes `run(&Args) -> Status`.

pub mod check;
pub mod fmt;
