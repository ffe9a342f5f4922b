//! Rebuilds the library when a migration is added or changed: `sqlx::migrate!`
//! embeds the migration files at compile time, and Cargo tracks only what
//! it is told to (sqlx's documented recipe).
fn main() {
    println!("cargo:rerun-if-changed=../../migrations");
}
