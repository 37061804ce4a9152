//! Pre-scan (being written).
