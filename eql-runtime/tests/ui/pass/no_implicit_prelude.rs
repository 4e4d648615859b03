// The macros' output names everything by absolute path, so it compiles in
// a module without the prelude, beside user items that shadow std's names.
#![no_implicit_prelude]

mod rules {
    #![no_implicit_prelude]

    #[allow(dead_code)]
    struct Option;
    #[allow(dead_code)]
    struct Vec;
    #[allow(dead_code)]
    struct String;
    #[allow(dead_code)]
    fn drop() {}

    ::eql_runtime::eql_rule! {
        /// A rule with every kind of test.
        pub Everything = r#"process where process.name : ("ssh", "sc*") and
            process.args like~ "-L*" and process.name regex "s.h" and
            process.pid > 1 and process.pid in (2, 3) and
            cidrMatch(source.ip, "10.0.0.0/8") and length(process.name) == 3 and
            ?process.missing == null | head 5"#;
    }

    #[derive(::eql_runtime::Event)]
    pub struct Process<'a> {
        pub name: &'a str,
        pub args: &'a [&'a str],
        pub pid: u32,
    }

    #[derive(::eql_runtime::Event)]
    pub struct Source {
        pub ip: ::std::net::IpAddr,
    }

    #[derive(::eql_runtime::Event)]
    pub struct ProcessEvent<'a> {
        #[eql(rename = "event.category")]
        pub category: &'a str,
        pub process: Process<'a>,
        pub source: Source,
    }
}

fn main() {
    let event = rules::ProcessEvent {
        category: "process",
        process: rules::Process {
            name: "ssh",
            args: &["ssh", "-L8080:db:5432"],
            pid: 2,
        },
        source: rules::Source {
            ip: ::std::net::IpAddr::V4(::std::net::Ipv4Addr::new(10, 1, 2, 3)),
        },
    };
    ::std::assert!(rules::Everything::matches(&event));
}
