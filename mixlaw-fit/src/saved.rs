//! Saving and loading a fitted law (feature `std`): the params JSON file of the `mixlaw`
//! program's contract (`spec/cli.md`), so that a library user and the program read and
//! write the same files.
//!
//! ```text
//! {"law": "additive", "domains": ["web", "code", "books"],
//!  "params": {"E": 1.8, "A": 0.5, ..., "C[0]": 2.1, ...},
//!  "n_scale": 1e9, "d_scale": 1e9, "target_domain": null, "objective": 1.2e-5,
//!  "columns": {"loss": "val_loss", "n": "params"},
//!  "train_support": {"rows": 40, "mixtures": 12, "min_weight": [...], "max_weight": [...],
//!                    "mixture_set": [[...], ...]}}
//! ```
//!
//! Only `law` and `params` are required: `domains` may be a list of names, a count, or
//! absent (then the count follows from the parameter names, `C[0]` ... `C[k-1]`), so a
//! file written by hand from a paper's table loads. Scales default to 1. `fixed_head`
//! holds a capacity law's fixed head size H.
//!
//! ```
//! use mixlaw_core::{AnyLaw, Scales};
//! use mixlaw_fit::saved::SavedFit;
//!
//! let text = r#"{"law": "chinchilla", "params": {"E": 1.69, "A": 406.4, "B": 410.7,
//!               "alpha": 0.34, "beta": 0.28}}"#;
//! let saved = SavedFit::from_json(text)?;
//! assert_eq!(saved.law.name(), "chinchilla");
//! assert_eq!(saved.scales, Scales::default());
//! let again = SavedFit::from_json(&saved.to_json())?;
//! assert_eq!(again.params, saved.params);
//! # use mixlaw_core::Law;
//! # Ok::<(), mixlaw_fit::saved::LoadError>(())
//! ```

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::string::{String, ToString};
use std::vec::Vec;

use mixlaw_core::{AnyLaw, Error, Law, LawExt, LawOptions, Scales};

use crate::owned::Fit;

/// The training support saved with a fit: per-domain extremes of the training weights
/// and the distinct training mixtures (up to [`SavedFit::MAX_MIXTURES`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrainSupport {
    /// Training runs.
    pub rows: usize,
    /// Distinct training mixtures.
    pub mixtures: usize,
    /// Smallest training weight of each domain.
    pub min_weight: Vec<f64>,
    /// Largest training weight of each domain.
    pub max_weight: Vec<f64>,
    /// The distinct training mixtures (all of them when `mixtures` is at most
    /// [`SavedFit::MAX_MIXTURES`]).
    pub mixture_set: Vec<Vec<f64>>,
}

impl TrainSupport {
    /// The support of `k`-domain mixtures `h` (row-major, as used in a fit).
    pub fn of(k: usize, h: &[f64]) -> TrainSupport {
        let mut support = TrainSupport {
            min_weight: std::vec![f64::INFINITY; k],
            max_weight: std::vec![f64::NEG_INFINITY; k],
            ..TrainSupport::default()
        };
        if k == 0 {
            return support;
        }
        // Distinct rows in first-seen order; rows are bucketed by a hash of their values
        // (with -0 as 0, so that equal rows share a bucket), then compared exactly: O(rows k)
        // rather than comparing every row with every kept one (minutes at 2,000 runs of
        // 512 domains).
        let mut distinct: Vec<&[f64]> = Vec::new();
        let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
        let hash_of = |row: &[f64]| {
            let mut hasher = DefaultHasher::new();
            for &v in row {
                (v + 0.0).to_bits().hash(&mut hasher);
            }
            hasher.finish()
        };
        for row in h.chunks_exact(k) {
            support.rows += 1;
            for ((lo, hi), &v) in support
                .min_weight
                .iter_mut()
                .zip(support.max_weight.iter_mut())
                .zip(row)
            {
                *lo = lo.min(v);
                *hi = hi.max(v);
            }
            let bucket = buckets.entry(hash_of(row)).or_default();
            if !bucket.iter().any(|&i| distinct.get(i) == Some(&row)) {
                bucket.push(distinct.len());
                distinct.push(row);
            }
        }
        support.mixtures = distinct.len();
        support.mixture_set = distinct
            .into_iter()
            .take(SavedFit::MAX_MIXTURES)
            .map(<[f64]>::to_vec)
            .collect();
        support
    }
}

/// A fitted law with what the program keeps beside it: domain names, the data columns
/// it was fitted on, and the training support.
#[derive(Clone, Debug, PartialEq)]
pub struct SavedFit {
    /// The law.
    pub law: AnyLaw,
    /// Natural parameters, in the law's order.
    pub params: Vec<f64>,
    /// The scales the parameters refer to.
    pub scales: Scales,
    /// The training objective, when known.
    pub objective: Option<f64>,
    /// The domains' names, in domain order (`None`: positional).
    pub domain_names: Option<Vec<String>>,
    /// Data columns by role (`"loss"`, `"n"`, `"d"`, `"unique"`), those used.
    pub columns: Vec<(String, String)>,
    /// The training support, when known.
    pub train_support: Option<TrainSupport>,
}

/// Why a params file could not be read.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum LoadError {
    /// Not JSON: a syntax error at this byte offset.
    Syntax {
        /// Byte offset of the error.
        offset: usize,
    },
    /// A required key is absent.
    Missing {
        /// The key (`"law"`, or a parameter name such as `"C[3]"`).
        key: String,
    },
    /// A value has the wrong type or range.
    Invalid {
        /// The key.
        key: String,
        /// What is expected.
        expected: &'static str,
    },
    /// The law or its parameters are rejected by the library.
    Law(Error),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Syntax { offset } => write!(f, "not valid JSON (at byte {offset})"),
            LoadError::Missing { key } => write!(f, "missing \"{key}\""),
            LoadError::Invalid { key, expected } => write!(f, "\"{key}\" must be {expected}"),
            LoadError::Law(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            LoadError::Law(e) => Some(e),
            _ => None,
        }
    }
}

impl From<Error> for LoadError {
    fn from(e: Error) -> Self {
        LoadError::Law(e)
    }
}

impl SavedFit {
    /// Largest number of distinct training mixtures kept in a file.
    pub const MAX_MIXTURES: usize = 4096;

    /// Largest domain count a file may declare (`2^20`): laws have no limit on k, but a
    /// count beyond any real mixture is a corrupt file, rejected before anything is sized
    /// by it.
    pub const MAX_DOMAINS: usize = 1 << 20;

    /// A fit of an [`AnyLaw`] with no names, columns or support yet.
    pub fn new(fit: &Fit<AnyLaw>) -> SavedFit {
        SavedFit {
            law: fit.law,
            params: fit.params.clone(),
            scales: fit.scales,
            objective: fit.objective.is_finite().then_some(fit.objective),
            domain_names: None,
            columns: Vec::new(),
            train_support: None,
        }
    }

    /// `(name, value)` of every natural parameter, names as in `laws.md`.
    pub fn named_params(&self) -> Vec<(String, f64)> {
        self.params
            .iter()
            .enumerate()
            .filter_map(|(i, &v)| self.law.param_info(i).map(|p| (p.name.to_string(), v)))
            .collect()
    }

    /// The params JSON (one object, pretty enough to read; never NaN or infinity: a
    /// non-finite number is written as `null`).
    pub fn to_json(&self) -> String {
        let mut o = String::from("{\n");
        let mut field = |key: &str, value: String| {
            if o.len() > 2 {
                o.push_str(",\n");
            }
            let _ = write!(o, "  \"{key}\": {value}");
        };
        field("law", quote(self.law.name()));
        field(
            "domains",
            match &self.domain_names {
                Some(names) => list(names.iter().map(|n| quote(n))),
                None => self.law.domains().to_string(),
            },
        );
        field(
            "params",
            object(self.named_params().into_iter().map(|(n, v)| (n, number(v)))),
        );
        field("n_scale", number(self.scales.n));
        field("d_scale", number(self.scales.d));
        field(
            "target_domain",
            self.law.target().map_or("null".into(), |t| t.to_string()),
        );
        if let AnyLaw::CapacityEq1(l) | AnyLaw::CapacityEq3(l) = &self.law {
            if let mixlaw_core::capacity::Head::Fixed(h) = l.head() {
                field("fixed_head", number(h));
            }
        }
        field("objective", self.objective.map_or("null".into(), number));
        if !self.columns.is_empty() {
            field(
                "columns",
                object(self.columns.iter().map(|(k, v)| (k.clone(), quote(v)))),
            );
        }
        if let Some(s) = &self.train_support {
            field(
                "train_support",
                object([
                    ("rows".to_string(), s.rows.to_string()),
                    ("mixtures".to_string(), s.mixtures.to_string()),
                    ("min_weight".to_string(), numbers(&s.min_weight)),
                    ("max_weight".to_string(), numbers(&s.max_weight)),
                    (
                        "mixture_set".to_string(),
                        list(s.mixture_set.iter().map(|m| numbers(m))),
                    ),
                ]),
            );
        }
        o.push_str("\n}\n");
        o
    }

    /// Reads a params file (see the [module documentation](self)).
    pub fn from_json(text: &str) -> Result<SavedFit, LoadError> {
        let root = Parser::new(text).document()?;
        let missing = |key: &str| LoadError::Missing { key: key.into() };
        let invalid = |key: &str, expected| LoadError::Invalid {
            key: key.into(),
            expected,
        };
        let name = root
            .get("law")
            .ok_or_else(|| missing("law"))?
            .as_str()
            .ok_or_else(|| invalid("law", "a law name"))?;
        let params_obj = root.get("params").ok_or_else(|| missing("params"))?;
        let Value::Obj(pairs) = params_obj else {
            return Err(invalid("params", "an object of name: value"));
        };
        let (k, domain_names) = match root.get("domains") {
            Some(Value::Arr(names)) => {
                let names = names
                    .iter()
                    .map(|n| n.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                    .ok_or_else(|| invalid("domains", "a list of names or a count"))?;
                (names.len(), Some(names))
            }
            Some(Value::Num(k)) if *k >= 0.0 && k.fract() == 0.0 => (*k as usize, None),
            Some(Value::Null) | None => (domains_from_names(pairs), None),
            Some(_) => return Err(invalid("domains", "a list of names or a count")),
        };
        if k > Self::MAX_DOMAINS {
            return Err(Error::TooManyDomains {
                max: Self::MAX_DOMAINS,
                found: k,
            }
            .into());
        }
        let index = |key: &str| -> Result<Option<usize>, LoadError> {
            match root.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Num(t)) if *t >= 0.0 && t.fract() == 0.0 => Ok(Some(*t as usize)),
                Some(_) => Err(invalid(key, "a domain index")),
            }
        };
        let positive = |key: &str| -> Result<Option<f64>, LoadError> {
            match root.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Num(v)) if v.is_finite() && *v > 0.0 => Ok(Some(*v)),
                Some(_) => Err(invalid(key, "a positive number")),
            }
        };
        let options = LawOptions::default()
            .target(index("target_domain")?)
            .head(positive("fixed_head")?);
        let law = AnyLaw::with_options(name, k, options)?;
        let params = (0..law.num_params())
            .map(|i| {
                let key = law
                    .param_info(i)
                    .map(|p| p.name.to_string())
                    .unwrap_or_default();
                match params_obj.get(&key) {
                    Some(Value::Num(v)) => Ok(*v),
                    Some(_) => Err(invalid(&key, "a number")),
                    None => Err(missing(&key)),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        law.check_params(&params)?;
        let scales = Scales {
            n: positive("n_scale")?.unwrap_or(1.0),
            d: positive("d_scale")?.unwrap_or(1.0),
        };
        let objective = match root.get("objective") {
            Some(Value::Num(v)) => Some(*v),
            _ => None,
        };
        let columns = match root.get("columns") {
            Some(Value::Obj(c)) => c
                .iter()
                .map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| invalid("columns", "an object of role: column name"))?,
            _ => Vec::new(),
        };
        let train_support = match root.get("train_support") {
            Some(s @ Value::Obj(_)) => Some(support(s, k)?),
            _ => None,
        };
        Ok(SavedFit {
            law,
            params,
            scales,
            objective,
            domain_names,
            columns,
            train_support,
        })
    }

    /// The fit as the owned layer's [`Fit`] (loss: the default; no search statistics).
    pub fn to_fit(&self) -> Fit<AnyLaw> {
        Fit {
            law: self.law,
            params: self.params.clone(),
            scales: self.scales,
            loss: mixlaw_core::Loss::default(),
            objective: self.objective.unwrap_or(f64::NAN),
            outcome: None,
            active_bounds: Vec::new(),
        }
    }
}

/// k from parameter names `X[i]`: the largest index plus one (0 when none).
fn domains_from_names(pairs: &[(String, Value)]) -> usize {
    pairs
        .iter()
        .filter_map(|(name, _)| {
            let inner = name.strip_suffix(']')?;
            let (_, i) = inner.split_once('[')?;
            i.parse::<usize>().ok()
        })
        .map(|i| i + 1)
        .max()
        .unwrap_or(0)
}

fn support(s: &Value, k: usize) -> Result<TrainSupport, LoadError> {
    let invalid = |key: &str| LoadError::Invalid {
        key: std::format!("train_support.{key}"),
        expected: "numbers of the right length",
    };
    let count = |key: &str| match s.get(key) {
        Some(Value::Num(v)) if *v >= 0.0 && v.fract() == 0.0 => Ok(*v as usize),
        _ => Err(invalid(key)),
    };
    let nums = |v: &Value, key: &str| -> Result<Vec<f64>, LoadError> {
        match v {
            Value::Arr(a) if a.len() == k => a
                .iter()
                .map(|x| match x {
                    Value::Num(x) => Ok(*x),
                    _ => Err(invalid(key)),
                })
                .collect(),
            _ => Err(invalid(key)),
        }
    };
    let field = |key: &str| s.get(key).ok_or_else(|| invalid(key));
    let mixture_set = match s.get("mixture_set") {
        Some(Value::Arr(a)) => a
            .iter()
            .map(|m| nums(m, "mixture_set"))
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
        Some(_) => return Err(invalid("mixture_set")),
    };
    Ok(TrainSupport {
        rows: count("rows")?,
        mixtures: count("mixtures")?,
        min_weight: nums(field("min_weight")?, "min_weight")?,
        max_weight: nums(field("max_weight")?, "max_weight")?,
        mixture_set,
    })
}

fn quote(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// A number that reads back exactly (Rust's shortest round-trip form); `null` when not
/// finite.
fn number(v: f64) -> String {
    let mut o = String::new();
    push_number(&mut o, v);
    o
}

/// Appends `v` as JSON (`{v:?}`, the shortest form that reads back exactly; `null` when
/// not finite). A positive zero, most of a sparse mixture's weights, skips the formatter.
fn push_number(o: &mut String, v: f64) {
    if v == 0.0 && v.is_sign_positive() {
        o.push_str("0.0");
    } else if v.is_finite() {
        let _ = write!(o, "{v:?}");
    } else {
        o.push_str("null");
    }
}

/// `[a, b, ...]` of numbers, written into one string.
fn numbers(v: &[f64]) -> String {
    let mut o = String::with_capacity(2 + 5 * v.len());
    o.push('[');
    for (i, &x) in v.iter().enumerate() {
        if i > 0 {
            o.push_str(", ");
        }
        push_number(&mut o, x);
    }
    o.push(']');
    o
}

fn list(items: impl Iterator<Item = String>) -> String {
    let mut o = String::from("[");
    for (i, item) in items.enumerate() {
        if i > 0 {
            o.push_str(", ");
        }
        o.push_str(&item);
    }
    o.push(']');
    o
}

fn object(pairs: impl IntoIterator<Item = (String, String)>) -> String {
    let items: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| std::format!("{}: {v}", quote(&k)))
        .collect();
    std::format!("{{{}}}", items.join(", "))
}

/// A parsed JSON value (objects keep their key order).
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Null,
    Bool,
    Num(f64),
    Str(String),
    Arr(Vec<Value>),
    Obj(Vec<(String, Value)>),
}

impl Value {
    fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Obj(pairs) => pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// A recursive-descent JSON parser (RFC 8259), depth-limited.
struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    const MAX_DEPTH: usize = 64;

    fn new(text: &'a str) -> Self {
        Parser {
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
        }
    }
    fn error(&self) -> LoadError {
        LoadError::Syntax { offset: self.pos }
    }
    fn document(mut self) -> Result<Value, LoadError> {
        let v = self.value()?;
        self.skip_ws();
        if self.pos != self.bytes.len() {
            return Err(self.error());
        }
        Ok(v)
    }
    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
    fn eat(&mut self, b: u8) -> Result<(), LoadError> {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error())
        }
    }
    fn literal(&mut self, word: &str, v: Value) -> Result<Value, LoadError> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.error())
        }
    }
    fn value(&mut self) -> Result<Value, LoadError> {
        self.skip_ws();
        match self.peek() {
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => self.string().map(Value::Str),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b't') => self.literal("true", Value::Bool),
            Some(b'f') => self.literal("false", Value::Bool),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error()),
        }
    }
    fn nested(&mut self, f: fn(&mut Self) -> Result<Value, LoadError>) -> Result<Value, LoadError> {
        self.depth += 1;
        if self.depth > Self::MAX_DEPTH {
            return Err(self.error());
        }
        let v = f(self);
        self.depth -= 1;
        v
    }
    fn object(&mut self) -> Result<Value, LoadError> {
        self.eat(b'{')?;
        let mut pairs = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Obj(pairs));
        }
        loop {
            self.skip_ws();
            let key = self.string()?;
            self.eat(b':')?;
            let v = self.value()?;
            pairs.push((key, v));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Obj(pairs));
                }
                _ => return Err(self.error()),
            }
        }
    }
    fn array(&mut self) -> Result<Value, LoadError> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Arr(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Arr(items));
                }
                _ => return Err(self.error()),
            }
        }
    }
    fn string(&mut self) -> Result<String, LoadError> {
        if self.peek() != Some(b'"') {
            return Err(self.error());
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while matches!(self.peek(), Some(c) if c != b'"' && c != b'\\' && c >= 0x20) {
                self.pos += 1;
            }
            let chunk = self
                .bytes
                .get(start..self.pos)
                .and_then(|b| core::str::from_utf8(b).ok())
                .ok_or_else(|| self.error())?;
            out.push_str(chunk);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let hex = self
                                .bytes
                                .get(self.pos + 1..self.pos + 5)
                                .and_then(|b| core::str::from_utf8(b).ok())
                                .and_then(|s| u32::from_str_radix(s, 16).ok())
                                .ok_or_else(|| self.error())?;
                            self.pos += 4;
                            char::from_u32(hex).unwrap_or('\u{fffd}')
                        }
                        _ => return Err(self.error()),
                    };
                    self.pos += 1;
                    out.push(c);
                }
                _ => return Err(self.error()),
            }
        }
    }
    fn number(&mut self) -> Result<Value, LoadError> {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.pos += 1;
        }
        self.bytes
            .get(start..self.pos)
            .and_then(|b| core::str::from_utf8(b).ok())
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .map(Value::Num)
            .ok_or(LoadError::Syntax { offset: start })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_written_file_without_domains_loads() {
        let text = r#"{"law": "additive-nd", "params": {"E": 1.5, "C[0]": 2, "C[1]": 3,
            "gamma[0]": 0.5, "gamma[1]": 0.25}}"#;
        let s = SavedFit::from_json(text).unwrap();
        assert_eq!(s.law.domains(), 2);
        assert_eq!(s.params, [1.5, 2.0, 3.0, 0.5, 0.25]);
        assert_eq!(s.domain_names, None);
    }

    #[test]
    fn names_columns_support_and_capacity_heads_round_trip() {
        let law =
            AnyLaw::with_options("capacity-eq3", 2, LawOptions::default().head(Some(0.3))).unwrap();
        let params: Vec<f64> = (0..law.num_params())
            .map(|i| 0.1 + i as f64 / 7.0)
            .collect();
        let saved = SavedFit {
            law,
            params,
            scales: Scales { n: 1e8, d: 1e9 },
            objective: Some(1.25e-4),
            domain_names: Some(std::vec!["web \"x\"".into(), "code".into()]),
            columns: std::vec![("loss".into(), "val".into())],
            train_support: Some(TrainSupport::of(2, &[0.5, 0.5, 0.2, 0.8, 0.5, 0.5])),
        };
        let back = SavedFit::from_json(&saved.to_json()).unwrap();
        assert_eq!(back, saved);
        let s = back.train_support.unwrap();
        assert_eq!((s.rows, s.mixtures), (3, 2));
        assert_eq!(
            (s.min_weight, s.max_weight),
            (std::vec![0.2, 0.5], std::vec![0.5, 0.8])
        );
    }

    #[test]
    fn bad_files_are_typed_errors() {
        let cases = [
            ("", "syntax"),
            ("{\"law\": \"chinchilla\"", "syntax"),
            ("{\"params\": {}}", "missing"),
            ("{\"law\": \"nope\", \"params\": {}}", "law"),
            ("{\"law\": \"chinchilla\", \"params\": {\"E\": 1}}", "missing"),
            (
                "{\"law\": \"chinchilla\", \"params\": {\"E\": 1, \"A\": -1, \"B\": 1, \"alpha\": 1, \"beta\": 1}}",
                "law",
            ),
            ("{\"law\": \"linear\", \"domains\": -2, \"params\": {}}", "invalid"),
            ("{\"law\": \"chinchilla\", \"params\": [1, 2]}", "invalid"),
        ];
        for (text, kind) in cases {
            let e = SavedFit::from_json(text).unwrap_err();
            let got = match e {
                LoadError::Syntax { .. } => "syntax",
                LoadError::Missing { .. } => "missing",
                LoadError::Invalid { .. } => "invalid",
                LoadError::Law(_) => "law",
            };
            assert_eq!(got, kind, "{text}: {e}");
        }
        // Deep nesting is refused, not a stack overflow.
        let deep = "[".repeat(10_000);
        assert!(matches!(
            SavedFit::from_json(&deep),
            Err(LoadError::Syntax { .. })
        ));
    }
}
