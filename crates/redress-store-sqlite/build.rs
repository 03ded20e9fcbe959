//! Rebuilds when a migration is added: `sqlx::migrate!` embeds the files it saw at compile time, and
//! Cargo would otherwise notice only edits to those, not a new one.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
