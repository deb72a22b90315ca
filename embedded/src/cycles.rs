//! An instruction counter for QEMU: SysTick counts down from 2^24 - 1 at the core clock,
//! an exception handler counts its wraps, and under `-icount shift=5` QEMU's virtual clock
//! advances exactly 32 ns per executed instruction while MPS2-AN386's 25 MHz core clock
//! ticks every 40 ns, so `instructions = ticks * 40 / 32`. On real hardware the same code
//! counts core cycles (`ticks`) instead. `main::calibrate` checks the scale on a loop of
//! known length.

use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::peripheral::{syst::SystClkSource, SCB, SYST};
use cortex_m_rt::exception;

/// SysTick reload value: the counter's full 24-bit range.
const RELOAD: u32 = 0x00FF_FFFF;

/// SysTick wraps so far.
static WRAPS: AtomicU32 = AtomicU32::new(0);

#[exception]
fn SysTick() {
    WRAPS.fetch_add(1, Ordering::Relaxed);
}

/// The running counter (owns SysTick).
pub struct Counter {
    _syst: SYST,
}

impl Counter {
    /// Starts SysTick at the core clock with its exception enabled.
    pub fn start() -> Self {
        // SAFETY: the only use of the core peripherals in the program.
        let mut p = unsafe { cortex_m::Peripherals::steal() };
        p.SYST.set_clock_source(SystClkSource::Core);
        p.SYST.set_reload(RELOAD);
        p.SYST.clear_current();
        p.SYST.enable_interrupt();
        p.SYST.enable_counter();
        Counter { _syst: p.SYST }
    }

    /// Core-clock ticks since [`Counter::start`].
    pub fn ticks(&mut self) -> u64 {
        loop {
            let before = WRAPS.load(Ordering::SeqCst);
            let current = SYST::get_current();
            let pending = SCB::is_pendst_pending();
            if WRAPS.load(Ordering::SeqCst) != before {
                continue;
            }
            // A wrap that happened but whose exception has not run yet.
            let late = u64::from(pending && current > RELOAD / 2);
            return (u64::from(before) + late) * (u64::from(RELOAD) + 1)
                + u64::from(RELOAD - current);
        }
    }

    /// Instructions executed since [`Counter::start`] (under QEMU `-icount shift=5`).
    pub fn instructions(&mut self) -> u64 {
        self.ticks() * 40 / 32
    }
}

/// Executes exactly `2 * n` instructions (`n >= 1` iterations of `subs` + `bne`).
#[inline(never)]
pub fn spin(n: u32) {
    // SAFETY: a register-only countdown loop.
    unsafe {
        core::arch::asm!(
            "2:",
            "subs {0}, {0}, #1",
            "bne 2b",
            inout(reg) n.max(1) => _,
            options(nomem, nostack),
        );
    }
}
