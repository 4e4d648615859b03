//! Facts the report needs besides criterion's timings: how many events a
//! set holds, how many match, how large the state is. A bench records them
//! as JSON under `$EQLC_BENCH_FACTS` (set by `scripts/bench`), and prints
//! them either way.

use std::path::PathBuf;

/// Records `value` as fact `name`.
pub fn record(name: &str, value: serde_json::Value) {
    eprintln!("fact {name}: {value}");
    let Some(dir) = std::env::var_os("EQLC_BENCH_FACTS") else {
        return;
    };
    let dir = PathBuf::from(dir);
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(format!("{name}.json")), value.to_string()));
    if let Err(error) = written {
        eprintln!("warning: cannot record fact {name}: {error}");
    }
}
