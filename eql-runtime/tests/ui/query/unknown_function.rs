use eql_runtime::eql_rule;

eql_rule! {
    pub Misspelt = r#"process where strtsWith(process.name, "ssh")"#;
}

fn main() {}
