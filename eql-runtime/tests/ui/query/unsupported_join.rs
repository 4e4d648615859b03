use eql_runtime::eql_rule;

eql_rule! {
    pub Joined = r#"join by host.id [process where true] [network where true]"#;
}

fn main() {}
