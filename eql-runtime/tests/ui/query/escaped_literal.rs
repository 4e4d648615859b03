// The error points into a literal with escapes: the position is counted in
// the query's text, after escape processing.
use eql_runtime::eql_rule;

eql_rule! {
    pub Escaped = "process where process.name == \"ssh\" and\n  process.args : 5";
}

fn main() {}
