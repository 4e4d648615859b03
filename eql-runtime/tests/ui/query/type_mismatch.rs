use eql_runtime::eql_rule;

eql_rule! {
    pub Sum = r#"process where process.args_count + "1" > 2"#;
}

fn main() {}
