//! `autoscale`: AutoScale (Kang et al.) from its published per-domain fits
//! (`spec/laws-extra.md`): the optimal token allocation at the base scale (the notebook's
//! DDO optimum, recomputed with mixlaw's simplex solver) and the per-domain token counts
//! predicted at the next scales by the geometric rule, beside the notebook's numbers.
//! Metric names: `ddo_<domain>`, `next_<domain>`, `mid_<domain>`, `next_total_t<t>`.

use std::path::Path;
use std::string::ToString;
use std::time::Instant;
use std::vec::Vec;

use crate::{Error, Report};

/// Runs the reproduction (it needs no data folder: the fits are published numbers).
pub fn run(_data: &Path, _progress: bool) -> Result<Report, Error> {
    let started = Instant::now();
    let reproduction = mixlaw_opt::autoscale::reproduce()?;
    let mut report = Report::new("autoscale");
    for figure in reproduction.figures() {
        report.row(
            &figure.to_string(),
            figure.ours,
            Some(figure.published),
            Vec::new(),
        );
    }
    report.seconds(started);
    Ok(report)
}
