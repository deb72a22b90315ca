//! Criterion: value + gradient (and value only) of the `additive` and `joint` objectives,
//! k = 7, over the 2,200-row Shukor et al. workload of `mixlaw-benches`
//! (mean Huber(1e-3), N / 1e9, D / 1e9, fixed realistic parameters), row by row
//! (`additive/value_grad`, ...) and by groups of distinct inputs
//! (`additive/grouped/value_grad`, ...; `Objective::with_groups`, groups built once
//! outside the timed region).
//!
//! Throughput is reported in rows (elements/s); ns/row is printed at the end from the
//! same timed batches (median over batches). Without the data, the bench prints a
//! skip notice and runs nothing.
//!
//! ```text
//! cargo bench -p mixlaw-benches --bench laws
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use mixlaw_benches::{shukor_bench_rows, with_objectives, Bench, Mode};
use mixlaw_core::Law;

/// Per-benchmark record of every timed batch: (label, iterations, elapsed).
type Log = RefCell<Vec<(String, u64, Duration)>>;

fn bench_law<L: Law>(c: &mut Criterion, name: &str, b: &Bench<'_, '_, L>, log: &Log) {
    let rows = b.rows();
    let mut group = c.benchmark_group(format!("{name}_k7_{rows}rows"));
    group.throughput(Throughput::Elements(rows as u64));
    let (mut grad, mut scratch) = b.buffers();
    for mode in Mode::ALL {
        let objective = b.objective(mode);
        for with_grad in [true, false] {
            let what = if with_grad {
                "value_grad"
            } else {
                "value_only"
            };
            // Row by row keeps its original ids (`value_grad`), so saved baselines still
            // compare; the grouped objective is `grouped/value_grad`.
            let label = match mode {
                Mode::RowByRow => what.to_owned(),
                Mode::Grouped => format!("grouped/{what}"),
            };
            let id = format!("{name}/{label}");
            group.bench_function(label.as_str(), |bencher| {
                bencher.iter_custom(|iters| {
                    let start = Instant::now();
                    for _ in 0..iters {
                        let g = if with_grad {
                            Some(black_box(&mut grad[..]))
                        } else {
                            None
                        };
                        let v = objective.eval(black_box(&b.theta), g, &mut scratch);
                        black_box(v).ok();
                    }
                    let elapsed = start.elapsed();
                    log.borrow_mut().push((id.clone(), iters, elapsed));
                    elapsed
                });
            });
        }
    }
    group.finish();
}

fn main() {
    let Some(cols) = shukor_bench_rows() else {
        return; // skip notice already printed; no fake benchmark
    };
    let mut c = Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    let log: Log = RefCell::new(Vec::new());
    let rows = with_objectives(&cols, |additive, joint| {
        bench_law(&mut c, "additive", &additive, &log);
        bench_law(&mut c, "joint", &joint, &log);
        additive.rows()
    })
    .expect("building the objectives");
    c.final_summary();

    // ns/row from the timed batches (warm-up batches included; the median ignores them
    // as long as criterion's samples outnumber them).
    let log = log.into_inner();
    let mut ids: Vec<&str> = log.iter().map(|(id, _, _)| id.as_str()).collect();
    ids.dedup();
    for id in ids {
        let mut per_row: Vec<f64> = log
            .iter()
            .filter(|(i, n, _)| i == id && *n > 0)
            .map(|(_, n, t)| t.as_secs_f64() * 1e9 / (*n as f64 * rows as f64))
            .collect();
        if per_row.is_empty() {
            continue;
        }
        per_row.sort_by(f64::total_cmp);
        println!(
            "{id}: {:.2} ns/row (median of {} timed batches, min {:.2}), {rows} rows",
            per_row[per_row.len() / 2],
            per_row.len(),
            per_row[0]
        );
    }
}
