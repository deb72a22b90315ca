//! olmix's swarm data (`olmix/`, Chen et al., allenai/olmix): the mixture ratios and the
//! downstream metrics of a swarm joined on the W&B run id ([`load_swarm`], through the one
//! join of [`super::join()`]), and the parts of
//! an olmix fit configuration (`olmix/configs/*.yaml`) the reproduction reads ([`load_config`]):
//! the prior, token counts, task families, dropped metrics, objective weights, KL weight and
//! the availability constraint.
//!
//! The configuration files are read by a small line reader for the YAML subset they use
//! (block mappings by indentation, `- "item"` lists, one flow list `[...]`, `#` comments,
//! `_` digit separators, and fractions such as `"7/52.0"`, which olmix evaluates), not by a
//! general YAML parser.

use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

use mixlaw_fit::owned::Runs;

use super::{join, parse, Table};
use crate::error::Error;

/// The leading columns of both CSV files of a swarm (pandas index, W&B id, name, index);
/// the pandas index column has no name in the files and is read as [`INDEX`].
const ID_COLUMNS: [&str; 4] = [INDEX, "run", "name", "index"];

/// The name given to the unnamed pandas index column.
const INDEX: &str = "_pandas_index";

/// Reads a swarm CSV file whose first header cell is empty (pandas' unnamed index).
fn read_swarm_csv(path: &Path) -> Result<Table, Error> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::input(format!("cannot read {}: {e}", path.display())))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    match text.strip_prefix(',') {
        Some(rest) => parse(&format!("{INDEX},{rest}")),
        None => parse(text),
    }
    .map_err(|e| Error::input(format!("{}: {e}", path.display())))
}

/// One swarm: the mixtures and the metrics of its runs, row-aligned.
#[derive(Clone, Debug, PartialEq)]
pub struct Swarm {
    /// Domain names, in the ratio file's column order.
    pub domains: Vec<String>,
    /// Mixtures, row-major (`runs x domains`).
    pub h: Vec<f64>,
    /// Metric names, in the metric file's column order.
    pub metrics: Vec<String>,
    /// Metric values, row-major (`runs x metrics`; lower is better).
    pub y: Vec<f64>,
}

impl Swarm {
    /// Number of runs.
    pub fn runs(&self) -> usize {
        self.h.len() / self.domains.len().max(1)
    }

    /// The plain mean over `columns` per run (olmix's family target); an error on an
    /// unknown column or an empty list.
    pub fn mean_of(&self, columns: &[String]) -> Result<Vec<f64>, Error> {
        if columns.is_empty() {
            return Err(Error::input("a family needs at least one metric column"));
        }
        let idx = columns
            .iter()
            .map(|c| {
                self.metrics
                    .iter()
                    .position(|m| m == c)
                    .ok_or_else(|| Error::input(format!("olmix: no metric column '{c}'")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let m = self.metrics.len();
        Ok(self
            .y
            .chunks(m)
            .map(|row| {
                idx.iter()
                    .map(|&j| row.get(j).copied().unwrap_or(f64::NAN))
                    .sum::<f64>()
                    / idx.len() as f64
            })
            .collect())
    }

    /// Runs (mixtures only: every run of a swarm has the same N and D) with losses `y`.
    pub fn runs_with(&self, y: Vec<f64>) -> Runs {
        Runs {
            k: self.domains.len(),
            h: self.h.clone(),
            y,
            ..Runs::default()
        }
    }
}

/// The data columns of `table` after the id columns, checking the id header.
fn data_columns(table: &Table, what: &str) -> Result<Vec<String>, Error> {
    let head = table.headers.get(..ID_COLUMNS.len()).unwrap_or(&[]);
    if head != ID_COLUMNS {
        return Err(Error::input(format!(
            "{what}: the header should start with ,run,name,index"
        )));
    }
    Ok(table
        .headers
        .get(ID_COLUMNS.len()..)
        .unwrap_or(&[])
        .to_vec())
}

/// The numbers of `columns` of `table`, row-major.
fn values(table: &Table, columns: &[String], what: &str) -> Result<Vec<f64>, Error> {
    let idx = columns
        .iter()
        .map(|c| table.column(c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::with_capacity(table.rows.len() * idx.len());
    for (r, row) in table.rows.iter().enumerate() {
        for &c in &idx {
            let cell = row.get(c).map_or("", String::as_str);
            let v = cell.trim().parse::<f64>().ok().filter(|v| v.is_finite());
            out.push(v.ok_or_else(|| {
                Error::input(format!(
                    "{what}: {}, column '{}': '{cell}' is not a finite number",
                    table.row_name(r),
                    table.headers.get(c).map_or("?", String::as_str)
                ))
            })?);
        }
    }
    Ok(out)
}

/// Reads the swarm `olmix/<ratios>` + `olmix/<metrics>` under `data`, joined on the `run`
/// column ([`join()`]: the other id columns must agree, and every run must be in both
/// files), in the ratio file's order. Mixtures must be non-negative and sum to 1 within
/// 1e-6.
pub fn load_swarm(data: &Path, ratios: &str, metrics: &str) -> Result<Swarm, Error> {
    let dir = data.join("olmix");
    let rt = read_swarm_csv(&dir.join(ratios))?;
    let mt = read_swarm_csv(&dir.join(metrics))?;
    let domains = data_columns(&rt, ratios)?;
    let metric_names = data_columns(&mt, metrics)?;
    if domains.is_empty() || metric_names.is_empty() || rt.rows.is_empty() {
        return Err(Error::input(format!(
            "olmix: {ratios} / {metrics} hold no domains, metrics or runs"
        )));
    }
    let (table, counts) = join(&rt, &mt, "run", (ratios, metrics))
        .map_err(|e| Error::input(format!("olmix: {e}")))?;
    if counts.only_first + counts.only_second > 0 {
        return Err(Error::input(format!(
            "olmix: {ratios} and {metrics} hold different runs ({} only in {ratios}, {} only in {metrics})",
            counts.only_first, counts.only_second
        )));
    }
    let h = values(&table, &domains, ratios)?;
    for (r, row) in h.chunks(domains.len()).enumerate() {
        let sum: f64 = row.iter().sum();
        if row.iter().any(|&v| v < 0.0) || (sum - 1.0).abs() > 1e-6 {
            return Err(Error::input(format!(
                "olmix: {ratios} {}: the mixture is negative or sums to {sum}",
                table.row_name(r)
            )));
        }
    }
    let y = values(&table, &metric_names, metrics)?;
    Ok(Swarm {
        domains,
        h,
        metrics: metric_names,
        y,
    })
}

/// The parts of an olmix fit configuration the reproduction uses.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// `priors.relative_sizes`: the prior mixture, by domain.
    pub relative_sizes: Vec<(String, f64)>,
    /// `priors.token_counts`: available tokens, by domain.
    pub token_counts: Vec<(String, f64)>,
    /// `eval.tasks`: task families and their metric columns (empty when not given).
    pub families: Vec<(String, Vec<String>)>,
    /// `filtering.drop_metrics`.
    pub drop_metrics: Vec<String>,
    /// `filtering.obj_weights`, by family (empty: uniform).
    pub obj_weights: Vec<(String, f64)>,
    /// `proposer.kl_reg`.
    pub kl_reg: f64,
    /// `constraints.target_tokens`.
    pub target_tokens: f64,
    /// `constraints.repetition_factor`.
    pub repetition_factor: f64,
}

impl Config {
    /// The values of `map` in the order of `domains`; an error names a missing domain.
    pub fn by_domain(map: &[(String, f64)], domains: &[String]) -> Result<Vec<f64>, Error> {
        domains
            .iter()
            .map(|d| {
                map.iter()
                    .find(|(k, _)| k == d)
                    .map(|(_, v)| *v)
                    .ok_or_else(|| Error::input(format!("olmix config: no entry for '{d}'")))
            })
            .collect()
    }
}

/// One non-blank line: indentation and content without a trailing comment.
type Line<'a> = (usize, &'a str);

fn lines(text: &str) -> Vec<Line<'_>> {
    text.lines()
        .filter_map(|l| {
            let body = match l.find(" #") {
                Some(i) => l.get(..i).unwrap_or(l),
                None if l.trim_start().starts_with('#') => "",
                None => l,
            };
            let trimmed = body.trim_start();
            (!trimmed.trim().is_empty()).then(|| (body.len() - trimmed.len(), trimmed.trim_end()))
        })
        .collect()
}

/// The lines nested under the key path `path` (each key a block mapping).
fn section<'a, 'b>(all: &'b [Line<'a>], path: &[&str]) -> Result<&'b [Line<'a>], Error> {
    let mut range = all;
    for key in path {
        let top = range.iter().map(|l| l.0).min().unwrap_or(0);
        let head = format!("{key}:");
        let at = range
            .iter()
            .position(|&(ind, s)| ind == top && s == head)
            .ok_or_else(|| {
                Error::input(format!("olmix config: no section '{}'", path.join(".")))
            })?;
        let rest = range.get(at + 1..).unwrap_or(&[]);
        let end = rest
            .iter()
            .position(|&(ind, _)| ind <= top)
            .unwrap_or(rest.len());
        range = rest.get(..end).unwrap_or(&[]);
    }
    Ok(range)
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

/// A number as olmix reads it: `_` separators, or a fraction `a/b`.
fn number(s: &str, what: &str) -> Result<f64, Error> {
    let s = unquote(s).replace('_', "");
    let v = match s.split_once('/') {
        Some((a, b)) => a
            .trim()
            .parse::<f64>()
            .ok()
            .zip(b.trim().parse::<f64>().ok())
            .map(|(a, b)| a / b),
        None => s.parse::<f64>().ok(),
    };
    v.filter(|v| v.is_finite())
        .ok_or_else(|| Error::input(format!("olmix config: {what}: '{s}' is not a number")))
}

/// The `key: number` entries directly under a section (keys may contain `:`).
fn map(section: &[Line<'_>], what: &str) -> Result<Vec<(String, f64)>, Error> {
    let top = section.iter().map(|l| l.0).min().unwrap_or(0);
    section
        .iter()
        .filter(|l| l.0 == top)
        .map(|&(_, s)| {
            let (k, v) = s
                .rsplit_once(": ")
                .ok_or_else(|| Error::input(format!("olmix config: {what}: bad line '{s}'")))?;
            Ok((unquote(k).to_string(), number(v, what)?))
        })
        .collect()
}

/// The scalar `key: value` directly under a section.
fn scalar(section: &[Line<'_>], key: &str, what: &str) -> Result<f64, Error> {
    let head = format!("{key}: ");
    let v = section
        .iter()
        .find_map(|&(_, s)| s.strip_prefix(head.as_str()))
        .ok_or_else(|| Error::input(format!("olmix config: no {what}")))?;
    number(v, what)
}

/// The quoted strings of the flow list `key: [...]` under a section (possibly over several
/// lines).
fn flow_list(section: &[Line<'_>], key: &str) -> Vec<String> {
    let head = format!("{key}:");
    let Some(at) = section.iter().position(|&(_, s)| s.starts_with(&head)) else {
        return Vec::new();
    };
    let mut text = String::new();
    for &(_, s) in section.get(at..).unwrap_or(&[]) {
        text.push_str(s);
        if s.contains(']') {
            break;
        }
    }
    text.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// Reads the olmix fit configuration `olmix/configs/<name>` under `data`.
pub fn load_config(data: &Path, name: &str) -> Result<Config, Error> {
    let path = data.join("olmix/configs").join(name);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::input(format!("cannot read {}: {e}", path.display())))?;
    let all = lines(&text);
    let mut families = Vec::new();
    if let Ok(tasks) = section(&all, &["eval", "tasks"]) {
        let top = tasks.iter().map(|l| l.0).min().unwrap_or(0);
        for (i, &(ind, s)) in tasks.iter().enumerate() {
            if ind == top {
                let family = s.strip_suffix(':').unwrap_or(s).to_string();
                let items = tasks
                    .get(i + 1..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|l| l.0 > top)
                    .filter_map(|&(_, s)| s.strip_prefix("- ").map(|v| unquote(v).to_string()))
                    .collect();
                families.push((family, items));
            }
        }
    }
    let filtering = section(&all, &["filtering"])?;
    let obj_weights = match section(filtering, &["obj_weights"]) {
        Ok(s) => map(s, "obj_weights")?,
        Err(_) => Vec::new(),
    };
    Ok(Config {
        relative_sizes: map(
            section(&all, &["priors", "relative_sizes"])?,
            "relative_sizes",
        )?,
        token_counts: map(section(&all, &["priors", "token_counts"])?, "token_counts")?,
        families,
        drop_metrics: flow_list(filtering, "drop_metrics"),
        obj_weights,
        kl_reg: scalar(section(&all, &["proposer"])?, "kl_reg", "proposer.kl_reg")?,
        target_tokens: scalar(
            section(&all, &["constraints"])?,
            "target_tokens",
            "constraints.target_tokens",
        )?,
        repetition_factor: scalar(
            section(&all, &["constraints"])?,
            "repetition_factor",
            "constraints.repetition_factor",
        )?,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    const YAML: &str = "priors:\n  relative_sizes:\n    a: 0.25\n    dclm:b: 0.75 # note\n  token_counts:\n    a: 1_000\n    dclm:b: 2e3\n\neval:\n  tasks:\n    math:\n      - \"m1\"\n      - \"m2\"\n    qa:\n      - \"q\"\n\nproposer:\n  kl_reg: 0.05\nconstraints:\n  target_tokens: 6_000\n  repetition_factor: 4.0\nfiltering:\n  drop_metrics: [\"x\",\n    \"y\"\n  ]\n  obj_weights:\n    math: \"7/52.0\"\n";

    #[test]
    fn reads_the_yaml_subset() {
        let all = lines(YAML);
        let rs = map(section(&all, &["priors", "relative_sizes"]).unwrap(), "rs").unwrap();
        assert_eq!(rs, vec![("a".into(), 0.25), ("dclm:b".into(), 0.75)]);
        let tc = map(section(&all, &["priors", "token_counts"]).unwrap(), "tc").unwrap();
        assert_eq!(tc, vec![("a".into(), 1000.0), ("dclm:b".into(), 2000.0)]);
        let f = section(&all, &["filtering"]).unwrap();
        assert_eq!(flow_list(f, "drop_metrics"), vec!["x", "y"]);
        let w = map(section(f, &["obj_weights"]).unwrap(), "w").unwrap();
        assert!((w[0].1 - 7.0 / 52.0).abs() < 1e-15);
        assert!(section(&all, &["priors", "nothing"]).is_err());
        assert!(number("abc", "t").is_err());
    }

    /// A swarm folder under the temp dir with these two files.
    fn swarm_dir(tag: &str, ratios: &str, metrics: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("mixlaw-olmix-{tag}-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("olmix")).unwrap();
        std::fs::write(dir.join("olmix/r.csv"), ratios).unwrap();
        std::fs::write(dir.join("olmix/m.csv"), metrics).unwrap();
        dir
    }

    #[test]
    fn joins_on_the_run_id_and_rejects_bad_swarms() {
        let ratios = ",run,name,index,a,b\n0,r1,n1,1,0.25,0.75\n1,r2,n2,2,1.0,0.0\n";
        let metrics = ",run,name,index,m1,m2\n0,r1,n1,1,1.5,2.5\n1,r2,n2,2,3.0,4.0\n";
        let dir = swarm_dir("ok", ratios, metrics);
        let s = load_swarm(&dir, "r.csv", "m.csv").unwrap();
        assert_eq!(
            (s.runs(), s.domains.clone()),
            (2, vec!["a".to_string(), "b".into()])
        );
        assert_eq!(
            s.mean_of(&["m1".into(), "m2".into()]).unwrap(),
            vec![2.0, 3.5]
        );
        assert!(s.mean_of(&["nope".into()]).is_err());
        assert!(s.mean_of(&[]).is_err());
        // Matched by run id, not by line: the metrics listed in another order read the same.
        let reordered = ",run,name,index,m1,m2\n1,r2,n2,2,3.0,4.0\n0,r1,n1,1,1.5,2.5\n";
        let dir = swarm_dir("order", ratios, reordered);
        assert_eq!(load_swarm(&dir, "r.csv", "m.csv").unwrap(), s);
        let swapped = metrics.replace("0,r1", "0,rX");
        let dir = swarm_dir("ids", ratios, &swapped);
        assert!(load_swarm(&dir, "r.csv", "m.csv").is_err());
        let dir = swarm_dir("sum", &ratios.replace("0.75", "0.5"), metrics);
        assert!(load_swarm(&dir, "r.csv", "m.csv").is_err());
        let dir = swarm_dir("nan", ratios, &metrics.replace("2.5", "nan"));
        assert!(load_swarm(&dir, "r.csv", "m.csv").is_err());
    }
}
