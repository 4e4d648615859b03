//! Regenerates `eqlc/src/schema/ecs.rs` from ECS's `ecs_flat.yml`.
//!
//! ```sh
//! cargo run -p eqlc --example ecs_schema -- ../shared/events/ecs_flat.yml [VERSION]
//! ```
//!
//! VERSION is the ECS version the file comes from (ECS's `version` file);
//! without it, the version the table records now is kept. Runs offline.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(source), version) = (args.first(), args.get(1)) else {
        eprintln!("usage: ecs_schema PATH/TO/ecs_flat.yml [ECS_VERSION]");
        return ExitCode::FAILURE;
    };
    let version = version.map_or(eqlc::schema::ECS_VERSION, String::as_str);
    let yaml = match std::fs::read_to_string(source) {
        Ok(yaml) => yaml,
        Err(error) => {
            eprintln!("error: cannot read {source}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let table = match eqlc::schema::generate::ecs_table(&yaml, version) {
        Ok(table) => table,
        Err(message) => {
            eprintln!("error: {source}: {message}");
            return ExitCode::FAILURE;
        }
    };
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/schema/ecs.rs");
    if let Err(error) = std::fs::write(&out, table) {
        eprintln!("error: cannot write {}: {error}", out.display());
        return ExitCode::FAILURE;
    }
    eprintln!("wrote {} (ECS {version})", out.display());
    ExitCode::SUCCESS
}
