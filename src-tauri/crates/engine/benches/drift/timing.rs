//! Timing and reporting for the drift benchmark: medians of several runs after a warm-up,
//! CPU time (threads and child processes) alongside wall time (a busy shared machine inflates the second, not the first),
//! the machine's load, and the markdown results table.

use std::time::{Duration, Instant};

/// A timed measurement: wall-clock times of the runs (sorted) and CPU time per run.
pub struct Timing {
    pub runs: Vec<Duration>,
    /// Process CPU time (all threads) per run; None where /proc is unavailable.
    pub cpu: Option<Duration>,
}

impl Timing {
    pub fn median(&self) -> Duration {
        self.runs[self.runs.len() / 2]
    }
}

/// Runs `f` once to warm up, then `runs` times, timing each run.
pub fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> Timing {
    std::hint::black_box(f());
    let cpu_start = process_cpu();
    let mut times: Vec<Duration> = (0..runs.max(1))
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    let cpu = cpu_start
        .zip(process_cpu())
        .map(|(a, b)| b.saturating_sub(a) / runs.max(1) as u32);
    times.sort();
    Timing { runs: times, cpu }
}

/// Like [`measure`], with a fresh input from `setup` for each run (made before the clock
/// starts; what `f` returns is dropped after it stops).
pub fn measure_each<S, T>(
    runs: usize,
    mut setup: impl FnMut() -> S,
    mut f: impl FnMut(S) -> T,
) -> Timing {
    std::hint::black_box(f(setup()));
    let mut times = Vec::with_capacity(runs.max(1));
    let mut cpu = Duration::ZERO;
    let mut cpu_known = true;
    for _ in 0..runs.max(1) {
        let input = setup();
        let cpu_start = process_cpu();
        let start = Instant::now();
        let out = std::hint::black_box(f(input));
        times.push(start.elapsed());
        drop(out);
        match cpu_start.zip(process_cpu()) {
            Some((a, b)) => cpu += b.saturating_sub(a),
            None => cpu_known = false,
        }
    }
    times.sort();
    Timing {
        cpu: cpu_known.then(|| cpu / runs.max(1) as u32),
        runs: times,
    }
}

/// User + system CPU time of this process so far, its threads and the child processes it
/// waited for (git) included (Linux `/proc/self/stat`, in clock ticks of 10 ms); `None`
/// elsewhere.
pub fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which may contain spaces) start at field 3: utime,
    // stime, cutime and cstime are fields 14 to 17.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = (11..15)
        .map(|i| fields.get(i)?.parse::<u64>().ok())
        .sum::<Option<u64>>()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The 1-, 5- and 15-minute load averages, as Linux reports them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// One row of the results table.
pub struct Row {
    pub what: String,
    /// None: reported for comparison, no target.
    pub target: Option<Duration>,
    pub timing: Option<Timing>,
    /// What was measured, in numbers (changes found, sizes...).
    pub note: String,
}

/// The markdown results table.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| measurement | target | median | CPU per run | result | details |\n|---|---:|---:|---:|:---:|---|\n",
    );
    for r in rows {
        let (median, cpu, result) = match &r.timing {
            Some(t) => {
                let m = t.median();
                let result = match r.target {
                    Some(target) if m < target => "pass",
                    Some(_) => "**miss**",
                    None => "—",
                };
                (
                    format!("{} ({} runs)", ms(m), t.runs.len()),
                    t.cpu.map_or_else(|| "?".into(), ms),
                    result,
                )
            }
            None => ("—".into(), "—".into(), "—"),
        };
        let target = r
            .target
            .map_or_else(|| "—".into(), |t| format!("< {}", ms(t)));
        out.push_str(&format!(
            "| {} | {target} | {median} | {cpu} | {result} | {} |\n",
            r.what, r.note
        ));
    }
    out
}
