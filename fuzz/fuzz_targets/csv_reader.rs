//! `mixlaw_validate::data::parse`, `join` and `load` on arbitrary text with arbitrary column
//! names, weight globs and sum tolerances: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixlaw_fuzz::Bytes;
use mixlaw_validate::data::{join, load, parse, Columns};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let flags = b.u8();
    let k = usize::from(b.u8() % 5);
    let shape = b.u8();
    let text = String::from_utf8_lossy(b.rest());
    let Ok(mut table) = parse(&text) else {
        return;
    };
    // Sometimes the table joined with its own second half on one of its columns.
    if shape & 1 != 0 && !table.headers.is_empty() {
        let key = table.headers[usize::from(shape >> 1) % table.headers.len()].clone();
        let mut second = table.clone();
        second.rows = table.rows.split_off(table.rows.len() / 2);
        match join(&table, &second, &key, ("first", "second")) {
            Ok((joined, _)) => table = joined,
            Err(_) => return,
        }
    }
    // Column names: mostly the table's own headers (so loading goes deep), sometimes not.
    let pick = |i: u8| -> String {
        let h = &table.headers;
        if h.is_empty() || i % 7 == 6 {
            format!("missing{i}")
        } else {
            h[usize::from(i) % h.len()].clone()
        }
    };
    // A weight name is sometimes turned into a glob (its head and a `*`, or a `?`).
    let weights = (0..k)
        .map(|i| {
            let name = pick(flags.wrapping_add(i as u8));
            match (shape >> 4).wrapping_add(i as u8) % 4 {
                0 => name.chars().take(2).chain(['*']).collect(),
                1 => std::iter::once('?').chain(name.chars().skip(1)).collect(),
                _ => name,
            }
        })
        .collect();
    let cols = Columns {
        weights,
        loss: (flags & 1 != 0).then(|| pick(flags >> 1)),
        n: (flags & 2 != 0).then(|| pick(flags >> 2)),
        d: (flags & 4 != 0).then(|| pick(flags >> 3)),
        unique: (flags & 8 != 0).then(|| pick(flags >> 4)),
        normalize: flags & 16 != 0,
        sum_tolerance: [1e-6, 1e-2, 0.0, f64::NAN][usize::from(shape >> 6)],
    };
    let _ = load(&table, &cols, flags & 32 != 0);
});
