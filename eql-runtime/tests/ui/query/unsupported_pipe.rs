use eql_runtime::eql_rule;

eql_rule! {
    pub Counted = r#"process where process.name == "ssh" | count"#;
}

fn main() {}
