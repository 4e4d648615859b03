use eql_runtime::eql_rule;

eql_rule! {
    pub Typo = r#"process where
        process.name = "ssh""#;
}

fn main() {}
