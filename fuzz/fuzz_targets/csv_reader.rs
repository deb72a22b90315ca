//! `mixlaw_validate::data::parse` and `load` on arbitrary text with arbitrary column names:
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mixlaw_fuzz::Bytes;
use mixlaw_validate::data::{load, parse, Columns};

fuzz_target!(|data: &[u8]| {
    let mut b = Bytes::new(data);
    let flags = b.u8();
    let k = usize::from(b.u8() % 5);
    let text = String::from_utf8_lossy(b.rest());
    let Ok(table) = parse(&text) else {
        return;
    };
    // Column names: mostly the table's own headers (so loading goes deep), sometimes not.
    let pick = |i: u8| -> String {
        let h = &table.headers;
        if h.is_empty() || i % 7 == 6 {
            format!("missing{i}")
        } else {
            h[usize::from(i) % h.len()].clone()
        }
    };
    let weights = (0..k).map(|i| pick(flags.wrapping_add(i as u8))).collect();
    let cols = Columns {
        weights,
        loss: (flags & 1 != 0).then(|| pick(flags >> 1)),
        n: (flags & 2 != 0).then(|| pick(flags >> 2)),
        d: (flags & 4 != 0).then(|| pick(flags >> 3)),
        unique: (flags & 8 != 0).then(|| pick(flags >> 4)),
        normalize: flags & 16 != 0,
    };
    let _ = load(&table, &cols, flags & 32 != 0);
});
