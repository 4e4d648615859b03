// trybuild builds each case in its own crate, `target/tests/trybuild/eql-runtime`,
// and `file` is relative to that crate's folder.
use eql_runtime::eql_rule;

eql_rule! {
    #[eql(file = "../../../../eql-runtime/tests/ui/rule_file/fixtures/kuery.toml")]
    pub Kuery;
}

fn main() {}
