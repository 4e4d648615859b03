use eql_runtime::eql_rule;

eql_rule! {
    pub TooMany = r#"process where length(process.name, 1) > 2"#;
}

fn main() {}
