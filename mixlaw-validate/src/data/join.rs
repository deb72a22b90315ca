//! Two CSV files as one table: the mixtures in one file, the metrics in another, matched on a
//! key column (RegMix keeps `train_mixture_1m.csv` and `train_pile_loss_1m.csv`, joined on
//! `index`). [`join()`] is an inner join; [`read_source`] reads the program's `FILE` or
//! `MIXTURES.csv,METRICS.csv` with `--join COL`.

use std::collections::HashMap;
use std::format;
use std::path::Path;
use std::string::String;
use std::vec::Vec;

use super::{read, Table};
use crate::error::Error;

/// What an inner join kept and dropped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JoinCounts {
    /// Keys present in both files: the rows of the joined table.
    pub matched: usize,
    /// Rows of the first file whose key is not in the second.
    pub only_first: usize,
    /// Rows of the second file whose key is not in the first.
    pub only_second: usize,
}

/// A table read for a command, and the counts of its join when it was made of two files.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    /// The rows.
    pub table: Table,
    /// The join's counts (`None`: one file).
    pub join: Option<JoinCounts>,
}

/// The inner join of `first` and `second` on the column `key`: one row per key present in
/// both, in `first`'s order, holding `first`'s columns and then `second`'s other columns.
/// A column other than `key` that both tables hold is kept once and must agree (as text,
/// trimmed) on every matched row. `names` name the two tables in messages.
///
/// Keys are compared as trimmed text (`7` and `7.0` differ). Errors: `key` missing from
/// either table, an empty key cell, a key present twice in one table (naming it), a shared
/// column that disagrees, and no key in common.
pub fn join(
    first: &Table,
    second: &Table,
    key: &str,
    names: (&str, &str),
) -> Result<(Table, JoinCounts), Error> {
    let in_file = |t: &Table, name: &str| {
        t.column(key)
            .map_err(|_| Error::input(format!("{name} has no column '{key}' to join on")))
    };
    let (k1, k2) = (in_file(first, names.0)?, in_file(second, names.1)?);
    let keys = |t: &Table, c: usize, name: &str| -> Result<HashMap<String, usize>, Error> {
        let mut seen: HashMap<String, usize> = HashMap::with_capacity(t.rows.len());
        for (r, row) in t.rows.iter().enumerate() {
            let k = row.get(c).map_or("", |s| s.trim());
            if k.is_empty() {
                return Err(Error::input(format!(
                    "{name} row {}: the join key '{key}' is empty",
                    r + 1
                )));
            }
            if let Some(before) = seen.insert(k.into(), r) {
                return Err(Error::input(format!(
                    "{name} holds the join key {key}={k} twice (rows {} and {})",
                    before + 1,
                    r + 1
                )));
            }
        }
        Ok(seen)
    };
    let first_keys = keys(first, k1, names.0)?;
    let second_keys = keys(second, k2, names.1)?;
    // Columns of `second` added to the joined table, and the shared ones that must agree.
    let mut added = Vec::new();
    let mut shared = Vec::new();
    for (c, h) in second.headers.iter().enumerate() {
        match first.headers.iter().position(|x| x == h) {
            _ if c == k2 => {}
            Some(c1) => shared.push((c1, c)),
            None => added.push(c),
        }
    }
    let mut headers = first.headers.clone();
    headers.extend(added.iter().filter_map(|&c| second.headers.get(c).cloned()));
    let mut rows = Vec::with_capacity(first.rows.len().min(second.rows.len()));
    for row in &first.rows {
        let k = row.get(k1).map_or("", |s| s.trim());
        let Some(other) = second_keys.get(k).and_then(|&r| second.rows.get(r)) else {
            continue;
        };
        for &(c1, c2) in &shared {
            let (a, b) = (
                row.get(c1).map_or("", |s| s.trim()),
                other.get(c2).map_or("", |s| s.trim()),
            );
            if a != b {
                return Err(Error::input(format!(
                    "column '{}' is in both files but differs at {key}={k} ('{a}' in {}, '{b}' in {})",
                    first.headers.get(c1).map_or("?", String::as_str),
                    names.0,
                    names.1
                )));
            }
        }
        let mut joined = row.clone();
        joined.extend(added.iter().filter_map(|&c| other.get(c).cloned()));
        rows.push(joined);
    }
    let counts = JoinCounts {
        matched: rows.len(),
        only_first: first.rows.len() - rows.len(),
        only_second: second_keys
            .keys()
            .filter(|k| !first_keys.contains_key(*k))
            .count(),
    };
    if rows.is_empty() {
        return Err(Error::input(format!(
            "{} and {} have no value of the join key '{key}' in common",
            names.0, names.1
        )));
    }
    Ok((
        Table {
            headers,
            rows,
            key: Some(key.into()),
        },
        counts,
    ))
}

/// Reads the program's `--train`, `--eval` or `--csv` argument: one CSV file, or with
/// `join_on = Some(COL)` two, `MIXTURES.csv,METRICS.csv`, inner-joined on `COL` ([`join()`]).
/// Two files without `--join`, or `--join` with one file, are errors.
pub fn read_source(spec: &Path, join_on: Option<&str>) -> Result<Source, Error> {
    let text = spec.to_string_lossy();
    let Some(key) = join_on else {
        if !spec.exists() && text.contains(',') {
            return Err(Error::input(format!(
                "'{text}': two files (MIXTURES.csv,METRICS.csv) need --join COL, the column they share"
            )));
        }
        return Ok(Source {
            table: read(spec)?,
            join: None,
        });
    };
    let files: Vec<&str> = text.split(',').map(str::trim).collect();
    let [a, b] = files.as_slice() else {
        return Err(Error::input(format!(
            "--join {key} needs two files, MIXTURES.csv,METRICS.csv (not '{text}')"
        )));
    };
    if a.is_empty() || b.is_empty() {
        return Err(Error::input(format!(
            "--join {key} needs two files, MIXTURES.csv,METRICS.csv (not '{text}')"
        )));
    }
    let in_file = |f: &str| read(Path::new(f)).map_err(|e| Error::input(format!("{f}: {e}")));
    let (first, second) = (in_file(a)?, in_file(b)?);
    let (table, counts) = join(&first, &second, key, (a, b))?;
    Ok(Source {
        table,
        join: Some(counts),
    })
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn table(text: &str) -> Table {
        parse(text).unwrap()
    }

    #[test]
    fn inner_join_in_first_order_with_counts() {
        let mix = table("index,a,b\n3,0.5,0.5\n1,0.25,0.75\n9,1,0\n2,0,1\n");
        let met = table("loss,index\n2.0,1\n3.0,2\n4.0,3\n5.0,4\n6.0,5\n");
        let (t, c) = join(&mix, &met, "index", ("m", "l")).unwrap();
        assert_eq!(t.headers, ["index", "a", "b", "loss"]);
        let keys: Vec<&str> = t.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(keys, ["3", "1", "2"]);
        assert_eq!(t.rows[0], ["3", "0.5", "0.5", "4.0"]);
        assert_eq!(
            c,
            JoinCounts {
                matched: 3,
                only_first: 1,
                only_second: 2
            }
        );
        assert_eq!(t.row_name(1), "row index=1");
    }

    #[test]
    fn join_errors_name_the_problem() {
        let mix = table("index,a\n1,1\n2,1\n");
        let err = |a: &str, b: &str| {
            join(&table(a), &table(b), "index", ("m.csv", "l.csv"))
                .unwrap_err()
                .to_string()
        };
        let dup = err("index,a\n1,1\n2,1\n1,1\n", "index,y\n1,2\n");
        assert!(
            dup.contains("index=1 twice") && dup.contains("m.csv"),
            "{dup}"
        );
        let dup2 = err("index,a\n1,1\n", "index,y\n7,2\n7,3\n");
        assert!(dup2.contains("index=7") && dup2.contains("l.csv"), "{dup2}");
        let missing = join(&mix, &table("id,y\n1,2\n"), "index", ("m.csv", "l.csv"))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("l.csv has no column 'index'"), "{missing}");
        assert!(err("index,a\n,1\n", "index,y\n1,2\n").contains("empty"));
        assert!(err("index,a\n1,1\n", "index,y\n2,2\n").contains("in common"));
        // A shared column is kept once when it agrees, an error when it differs.
        let (t, _) = join(
            &table("index,name,a\n1,x,1\n"),
            &table("index,name,y\n1,x,2\n"),
            "index",
            ("m", "l"),
        )
        .unwrap();
        assert_eq!(t.headers, ["index", "name", "a", "y"]);
        let differs = err("index,name,a\n1,x,1\n", "index,name,y\n1,z,2\n");
        assert!(
            differs.contains("'name'") && differs.contains("index=1"),
            "{differs}"
        );
    }
}
