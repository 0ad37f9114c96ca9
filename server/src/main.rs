#![recursion_limit = "256"]
//! `portcullis`: serve the console, migrate the database, create operators.

use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: see the dependency's note in `Cargo.toml`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    portcullis_server::cli::main().await
}
