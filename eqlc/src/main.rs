//! `eqlc`: check, expand, explain and run EQL rules from a terminal.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `print!` to standard output, ending the program quietly when the reader
/// of a pipe has gone and with an error when the output cannot be written
/// (see [`cli::write_out`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::write_out(::std::format_args!($($arg)*))
    };
}

/// `eprint!`, ending the program quietly when the reader of a pipe has gone.
macro_rules! err {
    ($($arg:tt)*) => {
        $crate::cli::write_err(::std::format_args!($($arg)*))
    };
}

/// `eprintln!`, ending the program quietly when the reader of a pipe has
/// gone.
macro_rules! errln {
    ($($arg:tt)*) => {
        err!("{}\n", ::std::format_args!($($arg)*))
    };
}

mod cli;

#[derive(Parser, Debug)]
#[command(
    name = "eqlc",
    version,
    about = "Compile and check Elastic EQL detection rules",
    long_about = "Compile and check Elastic EQL detection rules.\n\n\
        Rules are detection-rule TOML files (Elastic's layout) or plain `.eql` files \
        holding one query."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check rule files or folders and report every error and warning.
    ///
    /// Besides the compiler's own checks, each field a rule reads is looked
    /// up in the Elastic Common Schema: an unknown field (unless written
    /// `?field`), an operator its type does not support (a wildcard on a
    /// number, `cidrMatch` on a keyword) or a value its list of allowed
    /// values lacks is a warning. Exits with status 1 when any rule has an
    /// error.
    Check {
        /// Rule files (`.toml`, `.eql`) or folders of them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// The field definitions to check against.
        #[arg(long, value_enum, default_value = "ecs")]
        schema: cli::check::SchemaChoice,
    },
    /// Print the Rust code a rule becomes, formatted.
    Expand {
        /// A rule file (`.toml` or `.eql`).
        rule: PathBuf,
        /// The name of the generated type.
        #[arg(long, default_value = "Rule")]
        name: String,
    },
    /// Print what a compiled rule checks, in the order it checks it.
    Explain {
        /// A rule file (`.toml` or `.eql`).
        rule: PathBuf,
    },
    /// Run rules over NDJSON events with the interpreter, printing one JSON
    /// alert per match on stdout and a summary on stderr.
    ///
    /// Sequence and sample rules read the inputs as one stream, in the order
    /// given; their alerts name the file and line of each step's event.
    /// Events must come in timestamp order: a sequence refuses an event older
    /// than one it has seen, or one without a timestamp, and the summary
    /// counts them. Samples, and sequences waiting for trailing missing
    /// steps, are reported at the end of the input.
    Run {
        /// A rule file or a folder of rule files.
        #[arg(long, short)]
        rules: PathBuf,
        /// NDJSON files; none, or `-`, reads standard input.
        events: Vec<PathBuf>,
        /// Print nothing on stderr but errors.
        #[arg(long, short)]
        quiet: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            paths,
            strict,
            schema,
        } => cli::check::run(&paths, strict, schema),
        Command::Expand { rule, name } => cli::expand::run(&rule, &name),
        Command::Explain { rule } => cli::expand::explain(&rule),
        Command::Run {
            rules,
            events,
            quiet,
        } => cli::run::run(&rules, &events, quiet),
    }
}
