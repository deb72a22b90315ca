//! Peak stack by painting: [`paint`] fills the free stack (from the end of `.bss`/heap
//! end of `.bss` up to just below the current stack pointer) with a pattern; [`peak`] finds the
//! lowest word that no longer holds it. The result is the stack depth from the top of
//! RAM (`_stack_start`), i.e. everything `main` and the code it called used, exception
//! frames included.

use core::ptr::{addr_of, read_volatile, write_volatile};

/// The paint pattern.
const PAINT: u32 = 0xC5AC_CE55;

extern "C" {
    /// End of `.bss`/`.uninit` (cortex-m-rt's `link.x`): the stack's floor.
    static _stack_end: u32;
    /// Initial stack pointer, the top of RAM (cortex-m-rt's `link.x`).
    static _stack_start: u32;
}

fn floor() -> usize {
    addr_of!(_stack_end) as usize
}

fn top() -> usize {
    addr_of!(_stack_start) as usize
}

/// Paints the free stack below the caller's frame.
#[inline(never)]
pub fn paint() {
    // Leave 64 bytes below the stack pointer for this function's own needs.
    let sp = cortex_m::register::msp::read() as usize - 64;
    let mut p = (floor() + 3) & !3;
    while p + 4 <= sp {
        // SAFETY: p lies in RAM between the end of .bss and the live stack.
        unsafe { write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// Deepest stack use (bytes from the top of RAM) since the last [`paint`].
#[inline(never)]
pub fn peak() -> usize {
    let mut p = (floor() + 3) & !3;
    // SAFETY: p lies in RAM between the end of .bss and the top of the stack.
    while p < top() && unsafe { read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    top() - p
}

/// Bytes of RAM the stack may grow into: from the top of RAM down to the end of `.bss`.
pub fn room() -> usize {
    top() - floor()
}

/// Sizes of the program's sections in bytes, from cortex-m-rt's linker symbols:
/// `.text` (vector table included), `.rodata`, `.data`, `.bss`.
pub fn sections() -> [usize; 4] {
    extern "C" {
        static __stext: u32;
        static __etext: u32;
        static __srodata: u32;
        static __erodata: u32;
        static __sdata: u32;
        static __edata: u32;
        static __sbss: u32;
        static __ebss: u32;
    }
    let span = |a: *const u32, b: *const u32| b as usize - a as usize;
    [
        // The vector table sits at address 0, before .text.
        addr_of!(__etext) as usize,
        span(addr_of!(__srodata), addr_of!(__erodata)),
        span(addr_of!(__sdata), addr_of!(__edata)),
        span(addr_of!(__sbss), addr_of!(__ebss)),
    ]
}
