#!/usr/bin/env bash
# Measures mixlaw on a Cortex-M4F (thumbv7em-none-eabihf) under QEMU and prints the figures
# of the README's Embedded section:
#  - section sizes of the firmware (.text/.rodata/.data/.bss) with llvm-size (or
#    arm-none-eabi-size / rust-size, whichever exists); the program prints the same
#    figures from cortex-m-rt's linker symbols;
#  - the program's own output (`cargo run --release`, see .cargo/config.toml): one line per
#    check (ok/FAIL, bit for bit against the host), the peak stack of each check (stack
#    painted before, high-water mark read after), and executed instructions per check and
#    per call of the hot paths, the device path (law value, value + h-gradient, one solver
#    iteration) in f64 and in f32 side by side.
# Instruction counts: QEMU runs with `-icount shift=5` (the virtual clock advances 32 ns
# per executed instruction) and the program reads SysTick, clocked at MPS2-AN386's 25 MHz
# (40 ns per tick), so instructions = ticks * 40 / 32. The program checks this scale on a
# loop of known length first. (QEMU 7.2 does not emulate the DWT cycle counter: CYCCNT
# reads 0 even when enabled; Debian's package ships no TCG plugins such as libinsn.so.) These are executed instructions, not Cortex-M4 cycles (f64
# is soft-float on the M4F: most instructions are integer code of the float routines).
# Needs qemu-system-arm (Debian: apt-get install qemu-system-arm) and the
# thumbv7em-none-eabihf target (rustup target add thumbv7em-none-eabihf).
set -euo pipefail
cd "$(dirname "$0")"
cargo build --release --locked
elf=target/thumbv7em-none-eabihf/release/mixlaw-embedded
echo "=== sections ($elf)"
if command -v llvm-size >/dev/null; then
  llvm-size -A "$elf" | grep -E '^(section|\.vector_table|\.text|\.rodata|\.data|\.bss) '
elif command -v arm-none-eabi-size >/dev/null; then
  arm-none-eabi-size -A "$elf" | grep -E '^(section|\.vector_table|\.text|\.rodata|\.data|\.bss) '
elif command -v rust-size >/dev/null; then
  rust-size -A "$elf" | grep -E '^(section|\.vector_table|\.text|\.rodata|\.data|\.bss) '
else
  echo "notice: no size tool (llvm-size, arm-none-eabi-size, rust-size); the program's own figures follow"
fi
if command -v llvm-nm >/dev/null; then
  # Code and read-only data by crate, from symbol sizes (approximate: LTO inlines library
  # code into its callers, which then count it).
  echo "=== .text + .rodata by crate (symbol sizes, after LTO inlining)"
  llvm-nm --size-sort -S -C --radix=d "$elf" | awk '
    $3 ~ /^[tTrR]$/ {
      name = ""; for (i = 4; i <= NF; i++) name = name " " $i
      c = "other (cortex-m-rt, semihosting, core)"
      if (name ~ /mixlaw_core/) c = "mixlaw-core"
      else if (name ~ /mixlaw_fit/) c = "mixlaw-fit"
      else if (name ~ /mixlaw_opt/) c = "mixlaw-opt"
      else if (name ~ /mixlaw_info/) c = "mixlaw-info"
      else if (name ~ /libm::/) c = "libm"
      else if (name ~ /compiler_builtins|__aeabi|__(add|sub|mul|div)df3|__[a-z]*df[a-z0-9]*/) c = "compiler-builtins (soft-float f64, 64-bit division)"
      else if (name ~ /mixlaw_embedded|__EXPECTED|expected/) c = "the program (checks, measurements)"
      else if (name ~ /fmt|Formatter|Display|Debug/) c = "core::fmt (integer printing)"
      size[c] += $2
    }
    END { for (c in size) printf "%8d  %s\n", size[c], c }' | sort -rn
fi
echo "=== program output (QEMU mps2-an386, -icount shift=5)"
cargo run --release --locked
