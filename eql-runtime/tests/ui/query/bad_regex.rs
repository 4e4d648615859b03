use eql_runtime::eql_rule;

eql_rule! {
    pub Intersection = r#"process where process.name regex "ss&h""#;
}

fn main() {}
