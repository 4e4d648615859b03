//! Functions, arithmetic and computed comparisons, compiled by `eql_rule!`,
//! on typed events; each case is also run through the interpreter, which
//! must agree.

use eql_runtime::{Event, eql_rule};
use eqlc::interpret::{Interpreter, Typed};

#[derive(Event, Clone, Debug, Default)]
struct Process {
    name: Option<String>,
    args: Vec<String>,
    pid: Option<i64>,
    parent: Option<Parent>,
    #[eql(rename = "command_line")]
    command_line: Option<String>,
}

#[derive(Event, Clone, Debug, Default)]
struct Parent {
    name: Option<String>,
}

#[derive(Event, Clone, Debug, Default)]
struct Source {
    ip: Option<String>,
}

#[derive(Event, Clone, Debug, Default)]
struct ProcessEvent {
    process: Process,
    source: Source,
}

macro_rules! rules {
    ($($name:ident = $query:literal;)*) => {
        eql_rule! { $($name = $query;)* }

        /// Each rule with its query, for the interpreter.
        fn rules() -> Vec<(&'static str, &'static str, fn(&ProcessEvent) -> bool)> {
            vec![$((stringify!($name), $query, |event: &ProcessEvent| $name::matches(event))),*]
        }
    };
}

rules! {
    StartsWith = r#"any where startsWith(process.name, "ssh")"#;
    StartsWithI = r#"any where startsWith~(process.name, "SSH")"#;
    EndsWithI = r#"any where endswith~(process.name, ".EXE")"#;
    Contains = r#"any where stringContains(process.command_line, "-L")"#;
    ContainsStar = r#"any where stringContains(process.command_line, "a*b")"#;
    Length = r#"any where length(process.name) > 3"#;
    Cidr = r#"any where cidrMatch(source.ip, "10.0.0.0/8", "fe80::/10")"#;
    NotCidr = r#"any where not cidrMatch(source.ip, "10.0.0.0/8")"#;
    Arith = r#"any where process.pid + 1 == 5"#;
    Modulo = r#"any where process.pid % 3 == 1"#;
    Divide = r#"any where process.pid / 2 == 2"#;
    Substring = r#"any where substring(process.name, 0, -1) == "ss""#;
    Concat = r#"any where concat(process.name, "-", process.pid) == "ssh-4""#;
    ConcatNull = r#"any where concat(process.name, process.parent.name) == null"#;
    Between = r#"any where between(process.command_line, "-L ", " ") : "80*""#;
    IndexOf = r#"any where indexOf(process.command_line, "-") == 4"#;
    Number = r#"any where number(substring(process.name, 1), 16) > 0"#;
    StringFn = r#"any where string(process.pid) in ("4", "5")"#;
    TwoFields = r#"any where startsWith~(process.name, substring(process.parent.name, 0, 2))"#;
    NullCmp = r#"any where null == (process.pid > 2)"#;
    ArgsLength = r#"any where length(process.args) == 2"#;
    Constant = r#"any where 1 + 2 == 3 and process.name != null"#;
}

fn event(name: Option<&str>, pid: Option<i64>) -> ProcessEvent {
    ProcessEvent {
        process: Process {
            name: name.map(str::to_owned),
            args: vec!["-L".into(), "8080".into()],
            pid,
            parent: Some(Parent {
                name: Some("sshd".into()),
            }),
            command_line: Some("ssh -L 8080:x:80 host".into()),
        },
        source: Source {
            ip: Some("10.1.2.3".into()),
        },
    }
}

fn matching(event: &ProcessEvent) -> Vec<&'static str> {
    let mut names = Vec::new();
    for (name, query, generated) in rules() {
        let compiled = eqlc::compile(query, &eqlc::Options::default()).expect("query compiles");
        let interpreter = Interpreter::new(compiled.filter).expect("regexes compile");
        let interpreted = interpreter.matches(&Typed(event));
        assert_eq!(
            generated(event),
            interpreted,
            "{name}: generated code and interpreter disagree on {event:?}"
        );
        if interpreted {
            names.push(name);
        }
    }
    names
}

#[test]
fn ssh_with_pid_4() {
    assert_eq!(
        matching(&event(Some("ssh"), Some(4))),
        [
            "StartsWith",
            "StartsWithI",
            "Contains",
            "Cidr",
            "Arith",
            "Modulo",
            "Divide",
            "Substring",
            "Concat",
            "Between",
            "IndexOf",
            "StringFn",
            "TwoFields",
            "ArgsLength",
            "Constant"
        ]
    );
}

#[test]
fn missing_values() {
    let mut missing = event(None, None);
    missing.source.ip = None;
    missing.process.parent = None;
    missing.process.command_line = None;
    missing.process.args.clear();
    assert_eq!(matching(&missing), ["NotCidr", "ConcatNull", "NullCmp"]);
}

#[test]
fn other_values() {
    let mut other = event(Some("CMD.EXE"), Some(7));
    other.source.ip = Some("fe80::1".into());
    other.process.args = vec!["ab".into()];
    other.process.command_line = Some("xa*by".into());
    assert_eq!(
        matching(&other),
        [
            "EndsWithI",
            "ContainsStar",
            "Length",
            "Cidr",
            "NotCidr",
            "Modulo",
            "ArgsLength",
            "Constant"
        ]
    );
}
