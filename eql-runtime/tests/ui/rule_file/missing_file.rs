use eql_runtime::eql_rule;

eql_rule! {
    #[eql(file = "tests/ui/rule_file/fixtures/no_such_rule.toml")]
    pub Missing;
}

fn main() {}
