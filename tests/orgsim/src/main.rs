//! `orgsim` binary: serves simulated orgs for the demo and for manual testing.

fn main() {
    println!("orgsim");
}
