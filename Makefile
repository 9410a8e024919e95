# SPDX-License-Identifier: GPL-2.0
#
# bonding-ko: out-of-tree Linux bonding driver.
#
#   make                 build bonding.ko against KDIR (always W=1)
#   make sparse          the same under sparse (C=2); any warning fails
#   make check           build + sparse + DKMS + boot each kernel in KERNELS
#                        under QEMU and run selftests/ there, then upstream
#                        Linux's own bonding selftests (UPSTREAM=none: not)
#   make check-upstream  the same, but run upstream Linux's own bonding
#                        selftests (Debian's linux-source) against our module
#                        (default KERNELS=6.12; about 13 min under TCG)
#   make check-rt        make check on Debian's PREEMPT_RT kernels, the whole
#                        suite (KERNELS="6.1-rt 6.12-rt"); make check runs
#                        a subset on 6.12-rt
#   make check-debug     make check (ours only) on a debug kernel built from
#                        Debian's linux-source-6.12: KASAN, lockdep,
#                        PROVE_RCU, debug objects, kmemleak (KERNELS=6.12-debug)
#   make cross           build bonding.ko (W=1, warnings as errors) and sparse it
#                        for arm64, i386, s390 and mips64 (big-endian), against
#                        Debian's linux-source-6.12 (ARCHES, BOND_CROSS_JOBS)
#   make soak            the mixed-mode storm tests, ten times longer
#   make bench           benchmarks (RLB scale, transmit cost per mode)
#   make demo            boot one VM (6.12) and show bonds at work
#   make deps            install the Debian packages + fetch the guest kernels
#   make deps-debug      the same + what building the debug kernel needs
#   make deps-cross      the same + the cross compilers of make cross
#   make version-check   dkms.conf PACKAGE_VERSION == BOND_KO_VERSION
#   make clean           remove build/
#
# Variables: KDIR, WERROR=1, KERNELS (series, default "6.1 6.12 6.12-rt"), T (one
# test), UPSTREAM (which of upstream's selftests make check runs: all, the
# default, none, or names),
# ACCEL (auto|kvm|tcg), BOND_CACHE (default /var/cache/bonding-ko).
# See README.md.

ifneq ($(KERNELRELEASE),)
# Read by kbuild only if Kbuild were missing; keep the two in step.
include $(src)/Kbuild
else

BOND_CACHE ?= /var/cache/bonding-ko
KERNELS ?= 6.1 6.12 6.12-rt
ACCEL ?= auto
WERROR ?= 0
T ?=
KDIR ?=
DEMO_KERNEL ?= 6.12
UPSTREAM ?=

export BOND_CACHE KERNELS ACCEL WERROR T KDIR DEMO_KERNEL UPSTREAM

# $(call given_or,VAR,DEFAULT): VAR as the user gave it (command line or
# environment), else DEFAULT: a target's own default, not this file's.
given_or = $(if $(filter command line environment,$(origin $1)),$($1),$2)

.PHONY: all modules sparse check check-upstream check-rt check-debug cross soak bench demo deps \
	deps-debug deps-cross version-check clean help
all modules:
	@tools/build.sh driver

sparse:
	@tools/build.sh sparse

version-check:
	@tools/version-check.sh

deps:
	@tools/deps.sh

deps-debug:
	@BOND_DEPS_DEBUG=1 tools/deps.sh

deps-cross:
	@BOND_DEPS_CROSS=1 tools/deps.sh

# Build-only, no VM: kernel trees prepared once into $(BOND_CACHE)/cross/
# (README: Cross builds).
cross:
	@tools/cross.sh

# make check runs upstream's selftests too, all but the slowest, unless
# UPSTREAM says otherwise (UPSTREAM=all: every one; none: ours only).
check:
	@UPSTREAM="$(call given_or,UPSTREAM,default)" \
	 tools/check.sh

# Upstream's selftests only; KERNELS defaults to 6.12 unless given.
check-upstream:
	@BOND_SUITE=upstream \
	 KERNELS="$(call given_or,KERNELS,6.12)" \
	 tools/check.sh
# Every test (and upstream's default set) on both PREEMPT_RT kernels.
RT_KERNELS ?= 6.1-rt 6.12-rt
check-rt:
	@KERNELS="$(call given_or,KERNELS,$(RT_KERNELS))" tools/deps.sh
	@KERNELS="$(call given_or,KERNELS,$(RT_KERNELS))" \
	 UPSTREAM="$(call given_or,UPSTREAM,default)" \
	 BOND_RT_ALL=1 tools/check.sh

# The debug kernel runs the suite several times slower than Debian's: every
# time limit and poll bound is multiplied by BOND_TIMEOUT_FACTOR, the guest
# gets more memory for KASAN's shadow and quarantine, and the run has no
# whole-run budget (README: Debug kernel lane).
DEBUG_KERNELS ?= 6.12-debug
check-debug:
	@BOND_DEPS_DEBUG=1 KERNELS="$(DEBUG_KERNELS)" tools/deps.sh
	@KERNELS="$(call given_or,KERNELS,$(DEBUG_KERNELS))" \
	 UPSTREAM=none BOND_TIMEOUT_FACTOR="$${BOND_TIMEOUT_FACTOR:-4}" \
	 BOND_VM_MEM="$${BOND_VM_MEM:-3072}" BOND_CHECK_BUDGET=0 tools/check.sh

soak:
	@BOND_SOAK=1 T="$(or $(T),mixed_seed mixed_modes mixed_churn)" tools/check.sh

# Benchmarks (selftests BENCH_PROGS) in the same VMs; results: "# bench:" lines.
# The guests boot without the slab debugging options of make check (they
# cost time and memory per object, which is what the benchmarks measure).
bench:
	@KERNELS="$(call given_or,KERNELS,6.1 6.12)" \
	 BOND_VM_KDEBUG="$${BOND_VM_KDEBUG-}" BOND_LIST=print-bench tools/check.sh; rc=$$?; \
	echo "# benchmark results (also in build/logs/bench.txt):"; \
	grep -h '^# bench:' build/*/vm/tests/bench_*.log 2>/dev/null | tee build/logs/bench.txt; \
	exit $$rc

demo:
	@tools/deps.sh
	@tools/demo.sh

clean:
	rm -rf build

help:
	@sed -n '3,27s/^# \{0,1\}//p' Makefile
endif
