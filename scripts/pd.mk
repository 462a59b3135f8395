# pd.mk: builds libmicrokit (as an SDK tree like upstream Microkit's) and the
# C example protection domains, for one board and config.
#
#   make -f scripts/pd.mk BOARD=qemu_virt_aarch64 CONFIG=debug [-j8] [V=1]
#   make -f scripts/pd.mk BOARD=qemu_virt_riscv64 CONFIG=debug
#   make -f scripts/pd.mk BOARD=odroidc4 CONFIG=debug
#
# Run from the repository root (or with make -C <repo root>); all paths are
# relative to it. Outputs go to build/ (see the layout below). Targets: all (default), sdk, examples,
# clean (this board and config only).
#
# Tools: clang, ld.lld, llvm-ar (Debian: clang lld llvm), node.
#
# Output layout:
#   build/sdk/board/$(BOARD)/$(CONFIG)/include/microkit.h
#   build/sdk/board/$(BOARD)/$(CONFIG)/include/microkit_abi.h   (generated)
#   build/sdk/board/$(BOARD)/$(CONFIG)/include/sel4/sel4.h      (generated libsel4 interface)
#   build/sdk/board/$(BOARD)/$(CONFIG)/lib/libmicrokit.a        (crt0 inside)
#   build/sdk/board/$(BOARD)/$(CONFIG)/lib/microkit.ld
#   build/examples/<name>/$(BOARD)/$(CONFIG)/<stem>.elf         (one per examples/<name>/<stem>.c)
# Intermediate files: build/libmicrokit/$(BOARD)/$(CONFIG)/ and the .o/.d
# files next to each example ELF.
#
# A PD links as:  ld.lld -T <sdk lib>/microkit.ld <objects> <sdk lib>/libmicrokit.a

.SUFFIXES:
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

ROOT := $(patsubst %/,%,$(dir $(abspath $(dir $(lastword $(MAKEFILE_LIST))))))
# Outputs and command lines use paths relative to ROOT.
ifneq ($(abspath $(CURDIR)),$(ROOT))
$(error run this from the repository root: make -f scripts/pd.mk ... (or use make -C $(ROOT) -f scripts/pd.mk))
endif

# ---------------------------------------------------------------------------
# Board and config

BOARD ?=
CONFIG ?= debug

# Each board's architecture (boards.json "arch"). A board other than its arch's reference board
# (odroidc4) shares that board's kernel ABI tables; gen-abi-header.mjs checks that boards.json says so.
ARCH_qemu_virt_aarch64 := aarch64
ARCH_qemu_virt_riscv64 := riscv64
ARCH_odroidc4 := aarch64
BOARDS := qemu_virt_aarch64 qemu_virt_riscv64 odroidc4

ifeq ($(BOARD),)
$(error BOARD is not set: use BOARD=<one of: $(BOARDS)>)
endif
ARCH := $(if $(filter $(BOARD),$(BOARDS)),$(ARCH_$(BOARD)))
ifeq ($(ARCH),)
$(error unknown BOARD '$(BOARD)': use one of $(BOARDS))
endif
# CONFIG is checked by gen-abi-header.mjs against the configs the ABI JSON describes.

# ---------------------------------------------------------------------------
# Tools and flags

CC := clang
LD := ld.lld
AR := llvm-ar
NODE := node

ifeq ($(V),1)
Q :=
msg = @:
else
Q := @
msg = @printf '  %-4s %s\n' $(1) $(2)
endif

TARGET_aarch64 := --target=aarch64-none-elf
# Hard-float, as upstream builds PDs (rv64imafdc, lp64d).
TARGET_riscv64 := --target=riscv64-unknown-elf -march=rv64imafdc -mabi=lp64d -mcmodel=medany -mno-relax

# libmicrokit itself never touches FP/SIMD registers; PDs may.
LIB_ARCH_FLAGS_aarch64 := -mgeneral-regs-only
LIB_ARCH_FLAGS_riscv64 :=

CFLAGS_COMMON := $(TARGET_$(ARCH)) -std=gnu11 -ffreestanding -fno-builtin -O2 -g \
	-Wall -Wextra -Werror -fno-pic -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-delete-null-pointer-checks \
	-MMD -MP
LDFLAGS := -nostdlib -static -z max-page-size=4096 -z norelro --build-id=none --discard-locals

# ---------------------------------------------------------------------------
# Paths

ABI_DIR := $(if $(MICROKIT_EMU_ABI_DIR),$(MICROKIT_EMU_ABI_DIR),$(abspath $(ROOT)/../shared/abi))
export MICROKIT_EMU_ABI_DIR := $(ABI_DIR)
ABI_JSON := $(ABI_DIR)/$(ARCH).json $(ABI_DIR)/microkit.json $(ABI_DIR)/marshalling.json \
	$(ABI_DIR)/boards.json $(ABI_DIR)/kernel-configs/$(BOARD)-debug.json
GEN := scripts/gen-abi-header.mjs
GEN_SEL4 := scripts/gen-sel4-headers.mjs
# Everything is rebuilt when this file (flags, rules) changes.
PD_MK := scripts/pd.mk

LIB_SRC := microkit/libmicrokit
SDK := build/sdk/board/$(BOARD)/$(CONFIG)
SDK_INC := $(SDK)/include
SDK_LIB := $(SDK)/lib
OBJ := build/libmicrokit/$(BOARD)/$(CONFIG)

ABI_H := $(SDK_INC)/microkit_abi.h
ABI_STAMP := $(OBJ)/microkit_abi.stamp
MICROKIT_H := $(SDK_INC)/microkit.h
SEL4_H := $(SDK_INC)/sel4/sel4.h
SEL4_STAMP := $(OBJ)/sel4_h.stamp
LIBMICROKIT := $(SDK_LIB)/libmicrokit.a
LDSCRIPT := $(SDK_LIB)/microkit.ld
SDK_FILES := $(ABI_H) $(SEL4_H) $(MICROKIT_H) $(LIBMICROKIT) $(LDSCRIPT)

LIB_C := $(wildcard $(LIB_SRC)/src/*.c)
LIB_S := $(wildcard $(LIB_SRC)/src/$(ARCH)/*.S)
LIB_OBJS := $(patsubst $(LIB_SRC)/src/%.c,$(OBJ)/%.o,$(LIB_C)) \
	$(patsubst $(LIB_SRC)/src/$(ARCH)/%.S,$(OBJ)/$(ARCH)/%.o,$(LIB_S))

# Test-only PDs (tests/pds/<name>/<stem>.c) are built the same way as examples.
EXAMPLE_SRCS := $(sort $(wildcard examples/*/*.c)) $(sort $(wildcard tests/pds/*/*.c))
# examples/<name>/<stem>.c -> build/examples/<name>/$(BOARD)/$(CONFIG)/<stem>
# tests/pds/<name>/<stem>.c -> build/test-pds/<name>/$(BOARD)/$(CONFIG)/<stem>
ex_dir = $(if $(filter tests,$(word 1,$(subst /, ,$(1)))),build/test-pds/$(word 3,$(subst /, ,$(1))),build/examples/$(word 2,$(subst /, ,$(1))))
ex_base = $(call ex_dir,$(1))/$(BOARD)/$(CONFIG)/$(basename $(notdir $(1)))
EXAMPLE_ELFS := $(foreach s,$(EXAMPLE_SRCS),$(call ex_base,$(s)).elf)

DEPS := $(LIB_OBJS:.o=.d) $(foreach s,$(EXAMPLE_SRCS),$(call ex_base,$(s)).d)

# ---------------------------------------------------------------------------
# Top-level targets

.PHONY: all sdk examples clean
all: sdk examples
sdk: $(SDK_FILES)
examples: $(EXAMPLE_ELFS)

clean:
	$(Q)rm -rf $(SDK) $(OBJ) $(wildcard build/examples/*/$(BOARD)/$(CONFIG) build/test-pds/*/$(BOARD)/$(CONFIG))

# ---------------------------------------------------------------------------
# Generated ABI header. The generator rewrites the header only when its
# content changes; the stamp records that it ran, so a changed JSON file
# that does not change the header rebuilds nothing.

$(ABI_STAMP): $(GEN) $(ABI_JSON)
	$(call msg,GEN,$(ABI_H))
	@mkdir -p $(@D)
	$(Q)$(NODE) $(GEN) $(ARCH) $(CONFIG) $(ABI_H) $(BOARD)
	@touch $@

# (Regenerated here if it was deleted while the stamp stayed.)
$(ABI_H): $(ABI_STAMP)
	@test -f $@ || { printf '  %-4s %s\n' GEN $@; $(NODE) $(GEN) $(ARCH) $(CONFIG) $@ $(BOARD); }

# The libsel4 interface (sel4/sel4.h), generated the same way.
$(SEL4_STAMP): $(GEN_SEL4) $(ABI_JSON)
	$(call msg,GEN,$(SEL4_H))
	@mkdir -p $(@D)
	$(Q)$(NODE) $(GEN_SEL4) $(BOARD) $(CONFIG) $(SDK_INC)
	@touch $@

$(SEL4_H): $(SEL4_STAMP)
	@test -f $@ || { printf '  %-4s %s\n' GEN $@; $(NODE) $(GEN_SEL4) $(BOARD) $(CONFIG) $(SDK_INC); }

$(MICROKIT_H): $(LIB_SRC)/include/microkit.h
	$(call msg,CP,$@)
	@mkdir -p $(@D)
	$(Q)cp $< $@

# The linker script is preprocessed with the ABI header (link base, page size,
# arch).
$(LDSCRIPT): $(LIB_SRC)/microkit.ld $(ABI_H) $(PD_MK)
	$(call msg,CPP,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) -E -P -undef -nostdinc -x c -include $(ABI_H) $< -o $@

# ---------------------------------------------------------------------------
# libmicrokit

LIB_CFLAGS := $(CFLAGS_COMMON) $(LIB_ARCH_FLAGS_$(ARCH)) -I$(SDK_INC) -I$(LIB_SRC)/src

$(OBJ)/%.o: $(LIB_SRC)/src/%.c $(ABI_H) $(SEL4_H) $(MICROKIT_H) $(PD_MK)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LIB_CFLAGS) -c $< -o $@

$(OBJ)/$(ARCH)/%.o: $(LIB_SRC)/src/$(ARCH)/%.S $(ABI_H) $(PD_MK)
	$(call msg,AS,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LIB_CFLAGS) -c $< -o $@

$(LIBMICROKIT): $(LIB_OBJS)
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcsD $@ $^

# ---------------------------------------------------------------------------
# Examples: each examples/<name>/<stem>.c is one PD. It sees only the SDK,
# as a PD built outside this repository would.

EX_CFLAGS := $(CFLAGS_COMMON) -I$(SDK_INC)

define example_rules
$(call ex_base,$(1)).o: $(1) $(ABI_H) $(SEL4_H) $(MICROKIT_H) $(PD_MK)
	$$(call msg,CC,$$<)
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(EX_CFLAGS) -I$(dir $(1)) -c $$< -o $$@

$(call ex_base,$(1)).elf: $(call ex_base,$(1)).o $(LIBMICROKIT) $(LDSCRIPT) $(PD_MK)
	$$(call msg,LD,$$@)
	$$(Q)$$(LD) $$(LDFLAGS) -T $(LDSCRIPT) $$< $(LIBMICROKIT) -o $$@
endef
$(foreach s,$(EXAMPLE_SRCS),$(eval $(call example_rules,$(s))))

-include $(DEPS)
