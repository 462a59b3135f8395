# roottask.mk: builds our root-task test programs (tests/roottasks/<name>/*.c) for one kernel
# configuration, against libsel4-compatible headers generated for that configuration: a preset
# (sel4test's kernels) or a Microkit board's debug kernel.
#
#   make -f scripts/roottask.mk CONFIG=sel4test-aarch64 [-j8] [V=1]
#   make -f scripts/roottask.mk CONFIG=sel4test-riscv64
#   make -f scripts/roottask.mk CONFIG=qemu_virt_aarch64
#
# Run from the repository root. Tools: clang, ld.lld, llvm-ar, node.
#
# Output layout:
#   build/sdk/roottask/$(CONFIG)/include/sel4/sel4.h         (generated libsel4 interface)
#   build/sdk/roottask/$(CONFIG)/include/kernel/gen_config.h (the kernel configuration)
#   build/sdk/roottask/$(CONFIG)/lib/libroottask.a           (crt0, start-up, printf)
#   build/sdk/roottask/$(CONFIG)/lib/roottask.ld
#   build/test-roottasks/<name>/$(CONFIG)/<name>.elf         (one per tests/roottasks/<name>/)
#
# A root task links as:  ld.lld -T roottask.ld <objects> libroottask.a

.SUFFIXES:
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

ROOT := $(patsubst %/,%,$(dir $(abspath $(dir $(lastword $(MAKEFILE_LIST))))))
ifneq ($(abspath $(CURDIR)),$(ROOT))
$(error run this from the repository root: make -f scripts/roottask.mk ... (or use make -C $(ROOT) -f scripts/roottask.mk))
endif

CONFIG ?=
ARCH_sel4test-aarch64 := aarch64
ARCH_sel4test-riscv64 := riscv64
ARCH_qemu_virt_aarch64 := aarch64
CONFIGS := sel4test-aarch64 sel4test-riscv64 qemu_virt_aarch64
ARCH := $(if $(filter $(CONFIG),$(CONFIGS)),$(ARCH_$(CONFIG)))
ifeq ($(ARCH),)
$(error CONFIG must be one of: $(CONFIGS))
endif

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
TARGET_riscv64 := --target=riscv64-unknown-elf -march=rv64imafdc -mabi=lp64d -mcmodel=medany -mno-relax
CFLAGS := $(TARGET_$(ARCH)) -std=gnu11 -ffreestanding -fno-builtin -O2 -g \
	-Wall -Wextra -Werror -fno-pic -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -ftls-model=local-exec -MMD -MP
LDFLAGS := -nostdlib -static -z max-page-size=4096 -z norelro --build-id=none

ABI_DIR := $(if $(MICROKIT_EMU_ABI_DIR),$(MICROKIT_EMU_ABI_DIR),$(abspath $(ROOT)/../shared/abi))
export MICROKIT_EMU_ABI_DIR := $(ABI_DIR)
ABI_JSON := $(wildcard $(ABI_DIR)/configs/$(CONFIG).json $(ABI_DIR)/kernel-configs/$(CONFIG).json \
	$(ABI_DIR)/kernel-configs/$(CONFIG)-debug.json) $(ABI_DIR)/$(ARCH).json $(ABI_DIR)/boards.json \
	$(ABI_DIR)/marshalling.json $(ABI_DIR)/boot.json
GEN_SEL4 := scripts/gen-sel4-headers.mjs
MK := scripts/roottask.mk

RT_SRC := tests/roottasks/runtime
SDK := build/sdk/roottask/$(CONFIG)
INC := $(SDK)/include
LIB := $(SDK)/lib
OBJ := build/roottask-runtime/$(CONFIG)
SEL4_H := $(INC)/sel4/sel4.h
STAMP := $(OBJ)/sel4_h.stamp
RUNTIME := $(LIB)/libroottask.a
LDSCRIPT := $(LIB)/roottask.ld

RT_OBJS := $(OBJ)/runtime.o $(OBJ)/crt0.o
TESTS := $(filter-out runtime,$(notdir $(patsubst %/,%,$(sort $(dir $(wildcard tests/roottasks/*/*.c))))))
elf = build/test-roottasks/$(1)/$(CONFIG)/$(1).elf
ELFS := $(foreach t,$(TESTS),$(call elf,$(t)))

.PHONY: all sdk clean
all: sdk $(ELFS)
sdk: $(SEL4_H) $(RUNTIME) $(LDSCRIPT)

clean:
	$(Q)rm -rf $(SDK) $(OBJ) $(wildcard build/test-roottasks/*/$(CONFIG))

# The generator rewrites the header only when its content changes; the stamp records that it ran.
$(STAMP): $(GEN_SEL4) $(ABI_JSON)
	$(call msg,GEN,$(SEL4_H))
	@mkdir -p $(@D)
	$(Q)$(NODE) $(GEN_SEL4) $(CONFIG) debug $(INC)
	@touch $@

$(SEL4_H): $(STAMP)
	@test -f $@ || { printf '  %-4s %s\n' GEN $@; $(NODE) $(GEN_SEL4) $(CONFIG) debug $(INC); }

$(LDSCRIPT): $(RT_SRC)/roottask.ld
	$(call msg,CP,$@)
	@mkdir -p $(@D)
	$(Q)cp $< $@

$(OBJ)/runtime.o: $(RT_SRC)/runtime.c $(RT_SRC)/roottask.h $(SEL4_H) $(MK)
	$(call msg,CC,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -I$(INC) -c $< -o $@

$(OBJ)/crt0.o: $(RT_SRC)/crt0-$(ARCH).S $(MK)
	$(call msg,AS,$<)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(RUNTIME): $(RT_OBJS)
	$(call msg,AR,$@)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && $(AR) rcsD $@ $^

# Each tests/roottasks/<name>/ is one root task: all its .c files, the runtime, roottask.ld.
define roottask_rules
$(call elf,$(1)): $(patsubst tests/roottasks/$(1)/%.c,build/test-roottasks/$(1)/$(CONFIG)/%.o,$(wildcard tests/roottasks/$(1)/*.c)) $(RUNTIME) $(LDSCRIPT) $(MK)
	$$(call msg,LD,$$@)
	$$(Q)$$(LD) $$(LDFLAGS) -T $(LDSCRIPT) $$(filter %.o,$$^) $(RUNTIME) -o $$@

build/test-roottasks/$(1)/$(CONFIG)/%.o: tests/roottasks/$(1)/%.c $(SEL4_H) $(RT_SRC)/roottask.h $(MK)
	$$(call msg,CC,$$<)
	@mkdir -p $$(@D)
	$$(Q)$$(CC) $$(CFLAGS) -I$(INC) -I$(RT_SRC) -c $$< -o $$@
endef
$(foreach t,$(TESTS),$(eval $(call roottask_rules,$(t))))

-include $(wildcard $(OBJ)/*.d build/test-roottasks/*/$(CONFIG)/*.d)
