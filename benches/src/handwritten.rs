//! The seed rule written by hand, as a Rust programmer would write it for
//! [`ProcessEvent`]: one `match` on the process name, byte-level tests on
//! the arguments, and one unanchored regular expression for the
//! `IP:port:IP:port` branch. It means exactly what the EQL query means under
//! Elasticsearch's semantics (`docs/semantics.md`): `==` and `in` compare
//! exactly, `:` and `like~` fold ASCII letters, `like` does not, a test on
//! an array holds when it holds for some element, and the `not (...)` of the
//! ssh branch holds when no argument is `chmod` or contains `rungencmd`.
//! `tests/agreement.rs` checks it against the generated code and the
//! interpreter on every bench event.

use std::sync::LazyLock;

use regex::Regex;

use crate::events::ProcessEvent;

/// `.*IP:port:IP:port.*` as Lucene anchors it: anywhere in the value.
static IP_FORWARD: LazyLock<Regex> = LazyLock::new(|| {
    let ip = r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}";
    let pattern = format!("{ip}:[0-9]{{1,5}}:{ip}:[0-9]{{1,5}}");
    Regex::new(&pattern).unwrap_or_else(|error| panic!("the pattern builds: {error}"))
});

/// Options of `ssh -o` that forward ports, lower-case.
const SSH_FORWARD_OPTIONS: [&str; 8] = [
    "proxycommand",
    "localforward",
    "remoteforward",
    "dynamicforward",
    "tunnel",
    "gatewayports",
    "exitonforwardfailure",
    "proxyjump",
];

/// Whether `event` matches the tunnelling rule.
pub fn matches(event: &ProcessEvent) -> bool {
    let meta = &event.event;
    if !meta.category.iter().any(|c| c == "process")
        || !meta.kind.iter().any(|t| t == "start")
        || meta.action.as_deref() != Some("exec")
    {
        return false;
    }
    let container_id = event.container.as_ref().and_then(|c| c.id.as_deref());
    if container_id.is_none_or(str::is_empty) {
        return false;
    }

    let args = &event.process.args;
    let any_arg = |test: &dyn Fn(&str) -> bool| args.iter().any(|arg| test(arg));
    let has = |wanted: &str| args.iter().any(|arg| arg == wanted);
    let by_name = match event.process.name.as_deref() {
        Some(
            "iodine" | "iodined" | "dnscat" | "hans" | "hans-ubuntu" | "ptunnel-ng" | "ssf"
            | "3proxy" | "ngrok" | "wstunnel" | "pivotnacci" | "frps" | "proxychains",
        ) => true,
        Some("gost") => any_arg(&|arg| {
            ["-l", "-c", "-r"]
                .iter()
                .any(|prefix| starts_with_folded(arg, prefix))
        }),
        Some("ssh") => {
            let forward_flag = any_arg(&|arg| {
                arg.strip_prefix('-')
                    .is_some_and(|rest| rest.contains(['R', 'L', 'D', 'w']))
            });
            let excluded = any_arg(&|arg| arg == "chmod" || arg.contains("rungencmd"));
            (forward_flag && !excluded)
                || (has("-o")
                    && any_arg(&|arg| {
                        SSH_FORWARD_OPTIONS
                            .iter()
                            .any(|option| contains_folded(arg, option))
                    }))
        }
        Some("sshuttle") => any_arg(&|arg| matches!(arg, "-r" | "--remote" | "-l" | "--listen")),
        Some("socat") => any_arg(&|arg| {
            starts_with_folded(arg, "tcp4-listen:") || starts_with_folded(arg, "socks")
        }),
        Some(name) if starts_with_folded(name, "chisel") => {
            any_arg(&|arg| arg == "client" || arg == "server")
        }
        _ => false,
    };
    by_name
        || (has("-s") && has("-d") && has("rssocks"))
        || any_arg(&|arg| IP_FORWARD.is_match(arg))
}

/// `text` starts with `prefix` (lower-case), ASCII letters folded.
fn starts_with_folded(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len()
        && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// `text` contains `needle` (lower-case), ASCII letters folded.
fn contains_folded(text: &str, needle: &str) -> bool {
    text.as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}
