//! `cargo bench -p orgsim --bench generate`: how long generating, drifting, checking and
//! zipping orgs of realistic sizes takes (plain timing, no harness, so it runs on stable).

use std::time::Instant;

use orgsim::OrgKind;
use orgsim::generator::{
    DriftSpec, GenSpec, apply_drift, check_integrity, component_count, generate_org,
};

fn main() {
    for n in [1_000, 10_000, 50_000] {
        let t = Instant::now();
        let mut org = generate_org("bench", "Bench", OrgKind::Production, &GenSpec::new(1, n));
        let gen_time = t.elapsed();
        let by = org.users[0].clone();
        let t = Instant::now();
        let spec = DriftSpec {
            seed: 2,
            add: 20,
            remove: 10,
            change: 20,
        };
        let edits = apply_drift(&mut org.metadata, &spec, &by, "2026-11-20T10:00:00.000Z");
        let drift_time = t.elapsed();
        let t = Instant::now();
        let problems = check_integrity(&org.metadata).len();
        let check_time = t.elapsed();
        let bytes: usize = org
            .metadata
            .values()
            .flat_map(|c| c.files.values())
            .map(Vec::len)
            .sum();
        println!(
            "{n:>6} components ({} counted, {} top-level, {:.1} MB): generate {gen_time:?}, \
             drift of {} edits {drift_time:?}, integrity {check_time:?} ({problems} problems)",
            component_count(&org.metadata),
            org.metadata.len(),
            bytes as f64 / 1e6,
            edits.len(),
        );
    }
}
