//! Scans ECS events for the rules baked in from `rules/`.
fn main() {}
