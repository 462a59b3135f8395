#!/usr/bin/env node
// Generates a libsel4-compatible <sel4/sel4.h> for the SDK tree from the ABI
// JSON files in shared/abi (written for microkit-emu; not derived from libsel4's
// sources).
//
//   node scripts/gen-sel4-headers.mjs <board> <config> <outdir>
//
// Writes <outdir>/sel4/sel4.h: basic types, seL4_Error, seL4_MessageInfo_t,
// seL4_CapRights_t, the IPC buffer, the syscall stubs (inline asm, registers
// from <arch>.json syscall_registers.forms), the invocation labels and one
// stub per object method of marshalling.json that the config has.
//
// Every number comes from the JSON. The file is rewritten only when its
// content changes. No dependencies beyond Node.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeIfChanged } from './write-if-changed.mjs';

const SCRIPT = 'gen-sel4-headers';
const die = (m) => {
  process.stderr.write(`${SCRIPT}: ${m}\n`);
  process.exit(1);
};
const check = (c, m) => {
  if (!c) die(`ABI check failed: ${m}`);
};

const [boardArg, config, outDir] = process.argv.slice(2);
if (!boardArg || !config || !outDir) die('usage: gen-sel4-headers.mjs <board | kernel configuration preset> <config> <outdir>');

const repoDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const abiDir = process.env.MICROKIT_EMU_ABI_DIR
  ? path.resolve(process.env.MICROKIT_EMU_ABI_DIR)
  : path.resolve(repoDir, '..', 'shared', 'abi');
function loadJson(name) {
  try {
    return JSON.parse(readFileSync(path.join(abiDir, name), 'utf8'));
  } catch (e) {
    return die(`cannot load ${path.join(abiDir, name)}: ${e.message}`);
  }
}

// ---------------------------------------------------------------------------
// Board -> arch, config tables (same rules as gen-abi-header.mjs)

const BJ = loadJson('boards.json');
// A root-task kernel configuration of configs/ (sel4test-aarch64, ...) instead of a Microkit board:
// its own tables, its own gen_config.json, debug only.
const PRESETS = ['sel4test-aarch64', 'sel4test-riscv64'];
const preset = PRESETS.includes(boardArg);
const boardInfo = preset ? undefined : (BJ.boards ?? []).find((b) => b.name === boardArg);
if (!preset && !boardInfo) die(`unknown board or kernel configuration '${boardArg}'`);
const A = preset ? loadJson(`configs/${boardArg}.json`) : loadJson(`${boardInfo.arch}.json`);
const arch = A.arch;
if (!['aarch64', 'riscv64'].includes(arch)) die(`board ${boardArg} is ${arch}: unsupported`);
const X = loadJson('marshalling.json');
const B = loadJson('boot.json');
/** The full gen_config.json of the board (or preset) and config. */
const genConfig = preset
  ? loadJson(`kernel-configs/${boardArg}.json`)
  : { ...loadJson(`kernel-configs/${boardArg}-debug.json`), ...(boardInfo.gen_config_other_configs_diff_vs_debug?.[config] ?? {}) };

const otherConfigs = preset ? [] : Object.keys(A.syscalls_other_configs ?? {}).filter((k) => !k.includes('/'));
if (!['debug', ...otherConfigs].includes(config)) die(`unknown config '${config}' for ${boardArg}`);
const isDebug = config === 'debug';
const syscalls = isDebug ? A.syscalls : A.syscalls_other_configs[config].present;
let labels;
if (isDebug) labels = A.invocation_labels.labels;
else {
  const o = A.invocation_labels_other_configs[config];
  check(o, `no invocation label table for ${config}`);
  labels = o.identical_to_debug ? A.invocation_labels.labels : o.labels;
}
const kernelConfig = preset ? { ...genConfig } : {
  ...A.source.kernel_config_debug,
  ...(isDebug ? {} : (A.source.kernel_config_other_configs?.[config] ?? {})),
};
if (!preset && boardArg !== A.board) {
  check(BJ.reference_board?.[arch] === A.board, `reference board for ${arch} is not ${A.board}`);
  check(boardInfo.microkit.configs.includes(config), `board ${boardArg} has no config ${config}`);
  check(boardInfo.invocation_labels?.equal_to_reference_debug_c_enum === true, `${boardArg}'s labels differ`);
  check(boardInfo.invocation_labels?.equal_to_reference_same_config_invocations_all_json?.[config] === true,
    `${boardArg}'s ${config} labels differ`);
  for (const k of Object.keys(kernelConfig)) if (k in genConfig) kernelConfig[k] = genConfig[k];
}
const faultTags = isDebug
  ? Object.fromEntries(Object.entries(A.faults.types).map(([k, v]) => [k, v.label]))
  : A.faults.other_configs[config];
check(kernelConfig.KERNEL_MCS === true, 'only MCS kernels are supported (Microkit uses MCS)');

const cfgDefined = (name) => {
  const v = kernelConfig[name.replace(/^CONFIG_/, '')];
  return v !== undefined && v !== false;
};
// Evaluates a marshalling.json condition_cpp ("defined(CONFIG_X) && ...").
function evalCond(cpp) {
  if (!cpp) return true;
  const js = cpp.replace(/defined\((CONFIG_[A-Za-z0-9_]+)\)/g, (_, n) => (cfgDefined(n) ? 'true' : 'false'));
  check(/^[\s()!&|truefals]*$/.test(js), `cannot evaluate condition '${cpp}'`);
  return Function(`return (${js});`)();
}

// ---------------------------------------------------------------------------
// Output helpers

const L = [];
const emit = (s = '') => L.push(s);
const section = (t) => emit(`\n/* ---- ${t} ${'-'.repeat(Math.max(0, 68 - t.length))} */\n`);
const mask = (bits) => (bits >= 64 ? '~(seL4_Word)0' : `(((seL4_Word)1 << ${bits}) - 1)`);

emit('/*');
emit(' * sel4/sel4.h: GENERATED FILE, DO NOT EDIT.');
emit(` * Generated by scripts/gen-sel4-headers.mjs ${boardArg} ${config} from shared/abi`);
emit(` * (${arch}.json, marshalling.json, boards.json): ${A.source.sel4.repo} ${A.source.sel4.commit}.`);
emit(' * A libsel4-compatible interface for microkit-emu protection domains.');
emit(' */');
emit('#ifndef SEL4_SEL4_H');
emit('#define SEL4_SEL4_H');
emit('');
emit('#define LIBSEL4_INLINE static inline');
emit('#define LIBSEL4_INLINE_FUNC static inline');
emit(`#define SEL4_ARCH_${arch.toUpperCase()} 1`);
// The whole kernel configuration, as libsel4's sel4/config.h gives it: code written for upstream's
// SDK tests CONFIG_ARCH_*, CONFIG_PLAT_* and the like through sel4.h (sDDF's fences do).
emit('#include <kernel/gen_config.h>');

// ---------------------------------------------------------------------------
section('basic types (LP64)');
const wordBits = A.message_info.word_bits;
check(wordBits === 64, 'only 64-bit words are supported');
emit(`typedef signed char seL4_Int8;
typedef short seL4_Int16;
typedef int seL4_Int32;
typedef long seL4_Int64;
typedef unsigned char seL4_Uint8;
typedef unsigned short seL4_Uint16;
typedef unsigned int seL4_Uint32;
typedef unsigned long seL4_Uint64;
typedef seL4_Uint64 seL4_Word;
typedef seL4_Word seL4_CPtr;
typedef seL4_Int8 seL4_Bool;
typedef seL4_Uint64 seL4_Time;
typedef seL4_Word seL4_NodeId;
typedef seL4_Word seL4_PAddr;
typedef seL4_Word seL4_Domain;
#define seL4_False ((seL4_Bool)0)
#define seL4_True ((seL4_Bool)1)
#define seL4_Null ((void *)0)
#define seL4_CapNull ((seL4_CPtr)0)
#define seL4_WordBits ${wordBits}
#define seL4_WordSizeBits ${Math.log2(wordBits / 8)}
_Static_assert(sizeof(seL4_Word) * 8 == seL4_WordBits, "seL4_Word size");
_Static_assert(sizeof(void *) == sizeof(seL4_Word), "pointer size");`);

// Cap types: every service and cap parameter type is a cptr.
const capTypes = new Set();
for (const e of Object.values(X.entries)) {
  capTypes.add(e.service);
  for (const p of e.params) if ('cap' in p.where) capTypes.add(p.type);
}
capTypes.delete('seL4_CPtr');
for (const t of [...capTypes].sort()) emit(`typedef seL4_CPtr ${t};`);

section('seL4_Error');
const errs = Object.entries(A.errors).sort((a, b) => a[1] - b[1]);
emit(`typedef enum {\n${errs.map(([n, v]) => `    ${n} = ${v},`).join('\n')}\n} seL4_Error;`);

section('syscall numbers');
emit(`typedef enum {\n${Object.entries(syscalls).sort((a, b) => b[1] - a[1]).map(([n, v]) => `    ${n} = ${v},`).join('\n')}\n} seL4_Syscall_ID;`);

section('fault tags');
emit(`typedef enum {\n${Object.entries(faultTags).sort((a, b) => a[1] - b[1]).map(([n, v]) => `    ${n} = ${v},`).join('\n')}\n} seL4_Fault_tag_t;`);

section('fault message registers');
// Where each fault's fields sit in its message (and where a fault reply's registers go), named as
// libsel4 names them: seL4_<Fault>_<Field> and seL4_<Fault>_Length. "A | B" is one MR with two names.
const mrEnum = (prefix, mrs, length) => {
  const names = Object.entries(mrs).flatMap(([i, n]) => n.split(' | ').map((one) => `    ${prefix}_${one} = ${i},`));
  return `enum {\n${names.join('\n')}\n    ${prefix}_Length = ${length},\n};`;
};
for (const name of Object.keys(faultTags)) {
  const t = A.faults.types[name];
  if (t === undefined || Object.keys(t.mrs).length === 0) continue;
  emit(mrEnum(name.replace(/^seL4_Fault_/, 'seL4_'), t.mrs, t.length));
}
emit(mrEnum('seL4_TimeoutReply', A.faults.timeout_reply_registers, Object.keys(A.faults.timeout_reply_registers).length));

section('object types');
const objectTypes = Object.entries({ ...A.objects.type_ids, ...(A.objects.aliases ?? {}) }).sort((a, b) => a[1] - b[1]);
emit(`typedef enum {\n${objectTypes.map(([n, v]) => `    ${n} = ${v},`).join('\n')}\n} seL4_ObjectType;`);

section('invocation labels');
const lab = Object.entries(labels).sort((a, b) => a[1] - b[1]);
emit(`enum invocation_label {\n    InvalidInvocation = ${A.invocation_labels.InvalidInvocation ?? 0},\n${lab.filter(([n]) => n !== 'InvalidInvocation').map(([n, v]) => `    ${n} = ${v},`).join('\n')}\n};`);
emit('typedef enum invocation_label invocation_label;');

// ---------------------------------------------------------------------------
section('bit fields: seL4_MessageInfo_t, seL4_CapRights_t, seL4_CNode_CapData_t');

function bitfieldType(name, fields, argOrder) {
  emit(`typedef struct ${name} {\n    seL4_Word words[1];\n} ${name}_t;`);
  const args = argOrder.map((f) => `seL4_Uint64 ${f}`).join(', ');
  const body = argOrder
    .map((f) => `(((seL4_Word)${f} & ${mask(fields[f].width)}) << ${fields[f].offset})`)
    .join(' |\n                 ');
  emit(`static inline ${name}_t ${name}_new(${args})\n{\n    ${name}_t v;\n    v.words[0] = ${body};\n    return v;\n}`);
  for (const [f, d] of Object.entries(fields)) {
    emit(`static inline seL4_Uint64 ${name}_get_${f}(${name}_t v)\n{\n    return (v.words[0] >> ${d.offset}) & ${mask(d.width)};\n}`);
    emit(`static inline ${name}_t ${name}_set_${f}(${name}_t v, seL4_Uint64 x)\n{\n    v.words[0] = (v.words[0] & ~(${mask(d.width)} << ${d.offset})) | (((seL4_Word)x & ${mask(d.width)}) << ${d.offset});\n    return v;\n}`);
  }
}
const MI = A.message_info.fields;
for (const f of ['label', 'capsUnwrapped', 'extraCaps', 'length']) check(f in MI, `message_info lacks ${f}`);
bitfieldType('seL4_MessageInfo', MI, ['label', 'capsUnwrapped', 'extraCaps', 'length']);
const CR = A.cap_rights.fields;
bitfieldType('seL4_CapRights', CR, ['capAllowGrantReply', 'capAllowGrant', 'capAllowRead', 'capAllowWrite']);
for (const [n, v] of Object.entries(A.cap_rights.constants ?? {})) {
  const bits = Object.fromEntries(Object.entries(CR).map(([f, d]) => [f, (v >> d.offset) & 1]));
  emit(`#define ${n} seL4_CapRights_new(${bits.capAllowGrantReply}, ${bits.capAllowGrant}, ${bits.capAllowRead}, ${bits.capAllowWrite})`);
}
if (A.cnode_cap_data?.fields) {
  const CD = A.cnode_cap_data.fields;
  bitfieldType('seL4_CNode_CapData', CD, Object.keys(CD).sort((a, b) => CD[b].offset - CD[a].offset));
}

// ---------------------------------------------------------------------------
section('IPC buffer');
const IB = A.ipc_buffer;
const order = Object.entries(IB.fields).sort((a, b) => a[1].offset - b[1].offset);
const ctype = { tag: 'seL4_MessageInfo_t', receiveCNode: 'seL4_CPtr', receiveIndex: 'seL4_CPtr' };
emit(`#define seL4_MsgMaxLength ${IB.seL4_MsgMaxLength}`);
emit(`#define seL4_MsgLengthBits ${IB.seL4_MsgLengthBits}`);
emit(`#define seL4_MsgExtraCapBits ${IB.seL4_MsgExtraCapBits}`);
emit(`#define seL4_MsgMaxExtraCaps ${IB.seL4_MsgMaxExtraCaps}`);
emit(`#define seL4_IPCBufferSizeBits ${IB.seL4_IPCBufferSizeBits}`);
emit('typedef struct seL4_IPCBuffer_ {');
for (const [f, d] of order) {
  const words = d.size / (wordBits / 8);
  emit(`    ${ctype[f] ?? 'seL4_Word'} ${f}${words > 1 || f === 'msg' || f === 'caps_or_badges' ? `[${words}]` : ''};`);
}
emit(`} __attribute__((aligned(${IB.alignment}))) seL4_IPCBuffer;`);
for (const [f, d] of order) emit(`_Static_assert(__builtin_offsetof(seL4_IPCBuffer, ${f}) == ${d.offset}, "IPC buffer: ${f}");`);
emit(`_Static_assert(sizeof(seL4_IPCBuffer) == ${IB.size}, "IPC buffer size");`);
emit(`_Static_assert(sizeof(((seL4_IPCBuffer *)0)->msg) / sizeof(seL4_Word) == seL4_MsgMaxLength, "msg length");`);
// libsel4 makes the buffer pointer thread-local where its build says so (LibSel4UseThreadLocals).
const threadLocal = /thread-local/.test(A.boot.libsel4_ipc_buffer_symbol ?? '');
emit(`
/* The IPC buffer of the running thread (defined by ${threadLocal ? 'the runtime, one per thread' : 'libmicrokit'}). */
${threadLocal ? '#define SEL4_IPC_BUFFER_THREAD_LOCAL 1\n' : ''}extern ${threadLocal ? '__thread ' : ''}seL4_IPCBuffer *__sel4_ipc_buffer;

static inline seL4_IPCBuffer *seL4_GetIPCBuffer(void) { return __sel4_ipc_buffer; }
static inline void seL4_SetIPCBuffer(seL4_IPCBuffer *ipc_buffer) { __sel4_ipc_buffer = ipc_buffer; }
static inline seL4_Word seL4_GetMR(int i) { return __sel4_ipc_buffer->msg[i]; }
static inline void seL4_SetMR(int i, seL4_Word mr) { __sel4_ipc_buffer->msg[i] = mr; }
static inline seL4_Word seL4_GetUserData(void) { return __sel4_ipc_buffer->userData; }
static inline void seL4_SetUserData(seL4_Word data) { __sel4_ipc_buffer->userData = data; }
static inline seL4_Word seL4_GetBadge(int i) { return __sel4_ipc_buffer->caps_or_badges[i]; }
static inline seL4_CPtr seL4_GetCap(int i) { return (seL4_CPtr)__sel4_ipc_buffer->caps_or_badges[i]; }
static inline void seL4_SetCap(int i, seL4_CPtr cptr) { __sel4_ipc_buffer->caps_or_badges[i] = cptr; }
static inline void seL4_GetCapReceivePath(seL4_CPtr *receiveCNode, seL4_CPtr *receiveIndex, seL4_Word *receiveDepth)
{
    if (receiveCNode) *receiveCNode = __sel4_ipc_buffer->receiveCNode;
    if (receiveIndex) *receiveIndex = __sel4_ipc_buffer->receiveIndex;
    if (receiveDepth) *receiveDepth = __sel4_ipc_buffer->receiveDepth;
}
static inline void seL4_SetCapReceivePath(seL4_CPtr receiveCNode, seL4_CPtr receiveIndex, seL4_Word receiveDepth)
{
    __sel4_ipc_buffer->receiveCNode = receiveCNode;
    __sel4_ipc_buffer->receiveIndex = receiveIndex;
    __sel4_ipc_buffer->receiveDepth = receiveDepth;
}`);

// ---------------------------------------------------------------------------
section(`${arch} structures and enums`);
const structs = X[arch].structs;
for (const [name, members] of Object.entries(structs)) {
  emit(`typedef struct ${name}_ {\n    seL4_Word ${members.join(', ')};\n} ${name};`);
  emit(`_Static_assert(sizeof(${name}) == ${members.length} * sizeof(seL4_Word), "${name} size");`);
}
check(JSON.stringify(structs.seL4_UserContext) === JSON.stringify(A.registers.seL4_UserContext), 'seL4_UserContext order differs');
const vmAttr = Object.entries(A.vm.vm_attributes ?? {});
const vmType = arch === 'aarch64' ? 'seL4_ARM_VMAttributes' : 'seL4_RISCV_VMAttributes';
emit(`typedef enum {\n${vmAttr.map(([n, v]) => `    ${n} = ${v},`).join('\n')}\n} ${vmType};`);
if (A.boot.vcpu_registers) {
  emit(`typedef enum {\n${Object.entries(A.boot.vcpu_registers).map(([n, v]) => `    ${n} = ${v},`).join('\n')}\n} seL4_VCPUReg;`);
}

// ---------------------------------------------------------------------------
section('object sizes, user address space, priorities');
for (const [n, v] of Object.entries(A.objects.size_bits)) emit(`#define ${n} ${v}`);
emit(`#define seL4_UserTop ((seL4_Word)${A.vm.seL4_UserTop})`);
emit(`#define seL4_UserVSpaceTop ((seL4_Word)${A.vm.seL4_UserVSpaceTop})`);
for (const [n, v] of Object.entries(A.boot.priorities)) emit(`#define ${n} ${v}`);
for (const [n, v] of Object.entries(A.boot.tcb_flags)) emit(`#define ${n} ${v}`);
for (const [n, v] of Object.entries(A.boot.sched_context_flags)) emit(`#define ${n} ${v}`);

// ---------------------------------------------------------------------------
section('boot information (root tasks)');
{
  // seL4_CapNull is already a macro (basic types).
  const slots = Object.entries(B.initial_cnode_slots).filter(([n]) => n !== 'seL4_CapNull');
  emit(`enum seL4_RootCNodeCapSlots {\n${slots.map(([n, v]) => `    ${n} = ${v},`).join('\n')}\n};`);
  emit(`#define seL4_BootInfoFrameBits ${B.seL4_BootInfoFrameBits}`);
  emit(`#define seL4_BootInfoFrameSize ${B.seL4_BootInfoFrameSize}`);
  for (const [n, v] of Object.entries(B.seL4_BootInfoHeader.ids)) emit(`#define ${n} ${v}`);
  emit(`typedef seL4_Word seL4_SlotPos;
typedef struct seL4_SlotRegion {
    seL4_SlotPos start;
    seL4_SlotPos end;
} seL4_SlotRegion;
typedef struct seL4_UntypedDesc {
    seL4_Word paddr;
    seL4_Uint8 sizeBits;
    seL4_Uint8 isDevice;
    seL4_Uint8 padding[${B.seL4_UntypedDesc.fields.padding.size}];
} seL4_UntypedDesc;
typedef struct seL4_BootInfoHeader {
    seL4_Word id;
    seL4_Word len;
} seL4_BootInfoHeader;`);
  const bi = B.seL4_BootInfo.fields;
  const ctypes = { ipcBuffer: 'seL4_IPCBuffer *', nodeID: 'seL4_NodeId', initThreadDomain: 'seL4_Domain', untypedList: 'seL4_UntypedDesc' };
  const body = Object.entries(bi).sort((a, b) => a[1].offset - b[1].offset).map(([f, d]) => {
    if (f === 'untypedList') return `    seL4_UntypedDesc untypedList[${d.size / B.seL4_UntypedDesc.size}];`;
    if (d.size === 16) return `    seL4_SlotRegion ${f};`;
    const t = ctypes[f] ?? 'seL4_Word';
    return `    ${t}${t.endsWith('*') ? '' : ' '}${f};`;
  });
  emit(`typedef struct seL4_BootInfo {\n${body.join('\n')}\n} seL4_BootInfo;`);
  for (const [f, d] of Object.entries(bi)) emit(`_Static_assert(__builtin_offsetof(seL4_BootInfo, ${f}) == ${d.offset}, "BootInfo: ${f}");`);
  emit(`_Static_assert(sizeof(seL4_BootInfo) == ${B.seL4_BootInfo.size}, "BootInfo size");`);
  emit(`_Static_assert(sizeof(seL4_UntypedDesc) == ${B.seL4_UntypedDesc.size}, "UntypedDesc size");`);
}

// ---------------------------------------------------------------------------
section('system calls');

const R = A.syscall_registers;
const C = R.common;
check(R.fast_message_registers === 4 && C.mr0_3.length === 4, 'expected 4 register MRs');
// Each role a form names maps onto one of five slots.
const SLOT = {
  dest_cptr: 'cap', src_cptr: 'cap', recv_src_cptr: 'cap', badge_or_sender: 'cap', char: 'cap', cptr: 'cap',
  tcb_cptr: 'cap', cap_type: 'cap',
  msg_info: 'info', reply_msg_info: 'info', send_msg_info: 'info',
  mr0_3: 'mr', reply_mr0_3: 'mr', send_mr0_3: 'mr',
  reply_cap_cptr: 'reply', send_dest_cptr: 'dest',
};
const SLOTS = ['cap', 'info', 'mr', 'reply', 'dest'];
const have = (s) => `seL4_Sys${s}` in syscalls && `seL4_Sys${s}` in R.forms;

// seL4__sys_<Name>(cap, info, mr[4], reply, dest): each used slot is loaded into
// the form's register, passed in and out of the trap, and stored back.
function rawSyscall(name) {
  const form = R.forms[`seL4_Sys${name}`];
  const regs = {};
  for (const dir of ['in', 'out']) {
    for (const [role, reg] of Object.entries(form[dir])) {
      if (name === 'DebugNameThread' && role === 'name') continue;
      const slot = SLOT[role];
      check(slot, `${name}: unknown register role ${role}`);
      if (slot in regs) check(JSON.stringify(regs[slot]) === JSON.stringify(reg), `${name}: ${slot} in two registers`);
      regs[slot] = reg;
    }
  }
  const decl = [];
  const ops = [];
  const back = [];
  for (const s of SLOTS) {
    if (!(s in regs)) {
      decl.push(`    (void)${s};`);
      continue;
    }
    if (s === 'mr') {
      regs.mr.forEach((r, i) => {
        decl.push(`    register seL4_Word r_mr${i} __asm__("${r}") = mr[${i}];`);
        ops.push(`"+r"(r_mr${i})`);
        back.push(`    mr[${i}] = r_mr${i};`);
      });
    } else {
      decl.push(`    register seL4_Word r_${s} __asm__("${regs[s]}") = *${s};`);
      ops.push(`"+r"(r_${s})`);
      back.push(`    *${s} = r_${s};`);
    }
  }
  // NBSendWait: the NBSendRecv destination register must hold 0.
  let zero = '';
  if (name === 'NBSendWait' && /puts 0 in the NBSendRecv dest register/.test(form.notes ?? '')) {
    decl.push(`    register seL4_Word r_zero __asm__("${C.nbsendrecv_send_dest_cptr}") = 0;`);
    zero = ', "r"(r_zero)';
  }
  decl.push(`    register seL4_Word r_sys __asm__("${R.syscall_number}") = (seL4_Word)seL4_Sys${name};`);
  emit(`static inline void seL4__sys_${name}(seL4_Word *cap, seL4_Word *info, seL4_Word *mr, seL4_Word *reply, seL4_Word *dest)
{
${decl.join('\n')}
    __asm__ volatile("${R.trap_instruction}" : ${ops.join(', ')} : "r"(r_sys)${zero} : "memory");
${back.join('\n')}
}`);
}
const sysNames = Object.keys(R.forms).map((n) => n.replace(/^seL4_Sys/, '')).filter(have);
for (const n of sysNames) rawSyscall(n);
const skipped = Object.keys(syscalls).filter((n) => !(n in R.forms));
if (skipped.length) emit(`/* No register form in the ABI data, so no stub: ${skipped.join(', ')} */`);

const need = (n) => check(have(n), `config ${config} lacks seL4_Sys${n}`);
['Call', 'Send', 'NBSend', 'Recv', 'NBRecv', 'Wait', 'NBWait', 'ReplyRecv', 'NBSendRecv', 'NBSendWait', 'Yield'].forEach(need);

emit(`
#define SEL4__MR_LOAD(m, info) \\
    seL4_Word m[4] = {0, 0, 0, 0}; \\
    for (seL4_Word i_ = 0; i_ < 4 && i_ < seL4_MessageInfo_get_length(info); i_++) m[i_] = seL4_GetMR((int)i_)
#define SEL4__MR_STORE(m) \\
    do { for (int i_ = 0; i_ < 4; i_++) seL4_SetMR(i_, m[i_]); } while (0)
#define SEL4__PTR_LOAD(m, info, p0, p1, p2, p3) \\
    seL4_Word m[4] = {0, 0, 0, 0}; \\
    do { seL4_Word *p_[4] = {p0, p1, p2, p3}; \\
         for (seL4_Word i_ = 0; i_ < 4; i_++) if (p_[i_] && i_ < seL4_MessageInfo_get_length(info)) m[i_] = *p_[i_]; } while (0)
#define SEL4__PTR_STORE(m, p0, p1, p2, p3) \\
    do { seL4_Word *p_[4] = {p0, p1, p2, p3}; \\
         for (int i_ = 0; i_ < 4; i_++) if (p_[i_]) *p_[i_] = m[i_]; } while (0)

static inline void seL4_Send(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word cap = dest, info = msgInfo.words[0], none = 0;
    SEL4__MR_LOAD(m, msgInfo);
    seL4__sys_Send(&cap, &info, m, &none, &none);
}
static inline void seL4_SendWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0, seL4_Word *mr1,
                                    seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word cap = dest, info = msgInfo.words[0], none = 0;
    SEL4__PTR_LOAD(m, msgInfo, mr0, mr1, mr2, mr3);
    seL4__sys_Send(&cap, &info, m, &none, &none);
}
static inline void seL4_NBSend(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word cap = dest, info = msgInfo.words[0], none = 0;
    SEL4__MR_LOAD(m, msgInfo);
    seL4__sys_NBSend(&cap, &info, m, &none, &none);
}
static inline void seL4_NBSendWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0, seL4_Word *mr1,
                                      seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word cap = dest, info = msgInfo.words[0], none = 0;
    SEL4__PTR_LOAD(m, msgInfo, mr0, mr1, mr2, mr3);
    seL4__sys_NBSend(&cap, &info, m, &none, &none);
}
static inline void seL4_Signal(seL4_CPtr dest)
{
    seL4_Word cap = dest, info = seL4_MessageInfo_new(0, 0, 0, 0).words[0], none = 0;
    seL4_Word m[4] = {0, 0, 0, 0};
    seL4__sys_Send(&cap, &info, m, &none, &none);
}
static inline seL4_MessageInfo_t seL4_Call(seL4_CPtr dest, seL4_MessageInfo_t msgInfo)
{
    seL4_Word cap = dest, info = msgInfo.words[0], none = 0;
    SEL4__MR_LOAD(m, msgInfo);
    seL4__sys_Call(&cap, &info, m, &none, &none);
    SEL4__MR_STORE(m);
    seL4_MessageInfo_t r = {{info}};
    return r;
}
static inline seL4_MessageInfo_t seL4_CallWithMRs(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_Word *mr0,
                                                  seL4_Word *mr1, seL4_Word *mr2, seL4_Word *mr3)
{
    seL4_Word cap = dest, info = msgInfo.words[0], none = 0;
    SEL4__PTR_LOAD(m, msgInfo, mr0, mr1, mr2, mr3);
    seL4__sys_Call(&cap, &info, m, &none, &none);
    SEL4__PTR_STORE(m, mr0, mr1, mr2, mr3);
    seL4_MessageInfo_t r = {{info}};
    return r;
}

/* Receives: the badge (or sender) is stored in *sender when it is not NULL,
 * MR0..MR3 are copied into the IPC buffer. */
#define SEL4__RECV(sys, src, sender, reply_cap) \\
    seL4_Word cap = (src), info = 0, rep_ = (reply_cap), none = 0; \\
    seL4_Word m[4] = {0, 0, 0, 0}; \\
    seL4__sys_##sys(&cap, &info, m, &rep_, &none); \\
    SEL4__MR_STORE(m); \\
    if (sender) *(sender) = cap; \\
    seL4_MessageInfo_t r = {{info}}; \\
    return r

static inline seL4_MessageInfo_t seL4_Recv(seL4_CPtr src, seL4_Word *sender, seL4_CPtr reply) { SEL4__RECV(Recv, src, sender, reply); }
static inline seL4_MessageInfo_t seL4_NBRecv(seL4_CPtr src, seL4_Word *sender, seL4_CPtr reply) { SEL4__RECV(NBRecv, src, sender, reply); }
static inline seL4_MessageInfo_t seL4_Wait(seL4_CPtr src, seL4_Word *sender) { SEL4__RECV(Wait, src, sender, 0); }
static inline seL4_MessageInfo_t seL4_NBWait(seL4_CPtr src, seL4_Word *sender) { SEL4__RECV(NBWait, src, sender, 0); }
static inline seL4_MessageInfo_t seL4_Poll(seL4_CPtr src, seL4_Word *sender) { return seL4_NBWait(src, sender); }

static inline seL4_MessageInfo_t seL4_ReplyRecv(seL4_CPtr src, seL4_MessageInfo_t msgInfo, seL4_Word *sender,
                                                seL4_CPtr reply)
{
    seL4_Word cap = src, info = msgInfo.words[0], rep = reply, none = 0;
    SEL4__MR_LOAD(m, msgInfo);
    seL4__sys_ReplyRecv(&cap, &info, m, &rep, &none);
    SEL4__MR_STORE(m);
    if (sender) *sender = cap;
    seL4_MessageInfo_t r = {{info}};
    return r;
}
static inline seL4_MessageInfo_t seL4_NBSendRecv(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_CPtr src,
                                                 seL4_Word *sender, seL4_CPtr reply)
{
    seL4_Word cap = src, info = msgInfo.words[0], rep = reply, d = dest;
    SEL4__MR_LOAD(m, msgInfo);
    seL4__sys_NBSendRecv(&cap, &info, m, &rep, &d);
    SEL4__MR_STORE(m);
    if (sender) *sender = cap;
    seL4_MessageInfo_t r = {{info}};
    return r;
}
static inline seL4_MessageInfo_t seL4_NBSendWait(seL4_CPtr dest, seL4_MessageInfo_t msgInfo, seL4_CPtr src,
                                                 seL4_Word *sender)
{
    seL4_Word cap = src, info = msgInfo.words[0], none = 0, d = dest;
    SEL4__MR_LOAD(m, msgInfo);
    seL4__sys_NBSendWait(&cap, &info, m, &none, &d);
    SEL4__MR_STORE(m);
    if (sender) *sender = cap;
    seL4_MessageInfo_t r = {{info}};
    return r;
}
static inline void seL4_Yield(void)
{
    seL4_Word none = 0, m[4] = {0, 0, 0, 0};
    seL4__sys_Yield(&none, &none, m, &none, &none);
}`);

const dbg = (n, body) => {
  if (have(n)) emit(body);
};
dbg('DebugPutChar', `static inline void seL4_DebugPutChar(char c)
{
    seL4_Word cap = (seL4_Word)(seL4_Uint8)c, none = 0, m[4] = {0, 0, 0, 0};
    seL4__sys_DebugPutChar(&cap, &none, m, &none, &none);
}`);
for (const n of ['DebugHalt', 'DebugSnapshot', 'DebugDumpScheduler']) {
  dbg(n, `static inline void seL4_${n}(void)
{
    seL4_Word none = 0, m[4] = {0, 0, 0, 0};
    seL4__sys_${n}(&none, &none, m, &none, &none);
}`);
}
dbg('DebugCapIdentify', `static inline seL4_Uint32 seL4_DebugCapIdentify(seL4_CPtr cap)
{
    seL4_Word c = cap, none = 0, m[4] = {0, 0, 0, 0};
    seL4__sys_DebugCapIdentify(&c, &none, m, &none, &none);
    return (seL4_Uint32)c;
}`);
if (have('DebugNameThread')) {
  const nameRole = R.forms.seL4_SysDebugNameThread.in.name ?? '';
  check(/ipc_buffer\.msg/.test(nameRole), 'DebugNameThread: name is not passed in ipc_buffer.msg');
  emit(`static inline void seL4_DebugNameThread(seL4_CPtr tcb, const char *name)
{
    char *dst = (char *)__sel4_ipc_buffer->msg;
    seL4_Word i = 0;
    for (; name[i] != 0 && i < sizeof(__sel4_ipc_buffer->msg) - 1; i++) dst[i] = name[i];
    dst[i] = 0;
    seL4_Word c = tcb, none = 0, m[4] = {0, 0, 0, 0};
    seL4__sys_DebugNameThread(&c, &none, m, &none, &none);
}`);
}

// ---------------------------------------------------------------------------
section(`object invocations (${arch} ${config})`);

const methods = [];
const omitted = [];
for (const key of X[arch].methods) {
  const e = X.entries[key];
  check(e, `marshalling.json lacks ${key}`);
  if (!evalCond(e.condition_cpp)) continue;
  if (!(e.label in labels)) {
    omitted.push(e.stub);
    continue;
  }
  methods.push(e);
}
if (omitted.length) emit(`/* Condition holds but no label in this config: ${omitted.join(', ')} */`);

const scalarTypes = new Set(['seL4_Word', 'seL4_Uint8', 'seL4_Uint16', 'seL4_Uint32', 'seL4_Uint64', 'seL4_Bool', 'seL4_Time', 'seL4_CPtr', 'seL4_VCPUReg', vmType, 'seL4_ARM_VMAttributes', 'seL4_RISCV_VMAttributes']);
function stub(e) {
  const outScalars = e.params.filter((p) => p.dir === 'out' && !p.by_reference);
  const retStruct = e.returns !== 'seL4_Error';
  check(retStruct || outScalars.length === 0, `${e.stub}: out scalars without a result struct`);
  if (retStruct) {
    emit(`typedef struct {\n    int error;\n${outScalars.map((p) => `    ${p.type} ${p.name};`).join('\n')}\n} ${e.returns};`);
  }
  const args = [`${e.service} _service`];
  for (const p of e.params) {
    if (p.dir === 'out' && !p.by_reference) continue;
    args.push(p.by_reference ? `${p.type} *${p.name}` : `${p.type} ${p.name}`);
  }
  const b = [];
  b.push(`    ${e.returns} result;`);
  b.push(`    seL4_MessageInfo_t tag = seL4_MessageInfo_new(${e.label}, 0, ${e.extra_caps}, ${e.msg_length});`);
  b.push('    seL4_Word mr0 = 0, mr1 = 0, mr2 = 0, mr3 = 0;');
  const mrs = new Map(); // mr index -> [expr]
  const add = (i, ex) => {
    if (!mrs.has(i)) mrs.set(i, []);
    mrs.get(i).push(ex);
  };
  const countParam = e.params.find((p) => p.name === 'count' && p.dir === 'in');
  const limited = /only members/.test(e.note ?? '') || /only members/.test(e.note ?? '');
  let capCount = 0;
  for (const p of e.params) {
    const w = p.where;
    if (p.dir !== 'in') continue;
    if ('cap' in w) {
      b.push(`    seL4_SetCap(${w.cap}, ${p.name});`);
      capCount++;
    } else if ('words' in w) {
      check(p.by_reference && w.members.length === w.words, `${e.stub}.${p.name}: odd struct`);
      w.members.forEach((m, i) => {
        // WriteRegisters: members 0 and 1 always, the rest only below count.
        const cond = limited && countParam && i >= 2 ? `${countParam.name} > ${i}` : null;
        add(w.mr + i, { ex: `${p.name}->${m}`, cond });
      });
    } else {
      check(!p.by_reference && (scalarTypes.has(p.type) || p.type === 'seL4_CapRights_t' || capTypes.has(p.type)),
        `${e.stub}.${p.name}: unsupported type ${p.type}`);
      const v = p.type === 'seL4_CapRights_t' ? `${p.name}.words[0]` : `(seL4_Word)${p.name}`;
      add(w.mr, { ex: `((${v} & ${mask(w.bits)}) << ${w.bit})` });
    }
  }
  check(capCount === e.extra_caps, `${e.stub}: ${capCount} caps, extra_caps ${e.extra_caps}`);
  for (const [i, parts] of [...mrs.entries()].sort((a, c) => a[0] - c[0])) {
    check(i < e.msg_length, `${e.stub}: MR${i} beyond msg_length`);
    const conds = parts.filter((x) => x.cond);
    check(conds.length === 0 || parts.length === 1, `${e.stub}: conditional MR shared`);
    const ex = parts.map((x) => x.ex).join(' | ');
    const st = i < 4 ? `mr${i} = ${ex};` : `seL4_SetMR(${i}, ${ex});`;
    b.push(conds.length ? `    if (${conds[0].cond}) ${st}` : `    ${st}`);
  }
  b.push('    seL4_MessageInfo_t output_tag = seL4_CallWithMRs(_service, tag, &mr0, &mr1, &mr2, &mr3);');
  const err = retStruct ? 'result.error' : 'result';
  b.push(`    ${err} = (${retStruct ? 'int' : 'seL4_Error'})seL4_MessageInfo_get_label(output_tag);`);
  b.push(`    if (${err} != seL4_NoError) {\n        seL4_SetMR(0, mr0);\n        seL4_SetMR(1, mr1);\n        seL4_SetMR(2, mr2);\n        seL4_SetMR(3, mr3);\n    }`);
  const rd = (i) => (i < 4 ? `mr${i}` : `seL4_GetMR(${i})`);
  for (const p of e.params) {
    if (p.dir !== 'out') continue;
    const w = p.where;
    check(w.reply, `${e.stub}.${p.name}: out param not in the reply`);
    if ('words' in w) {
      w.members.forEach((m, i) => {
        const idx = w.mr + i;
        const cond = limited && countParam && idx >= 4 ? `${countParam.name} > ${i}` : null;
        b.push(`    ${cond ? `if (${cond}) ` : ''}${p.name}->${m} = ${rd(idx)};`);
      });
    } else {
      b.push(`    result.${p.name} = (${p.type})((${rd(w.mr)} >> ${w.bit}) & ${mask(w.bits)});`);
    }
  }
  const reply = e.params.filter((p) => p.dir === 'out').reduce((n, p) => Math.max(n, p.where.mr + (p.where.words ?? 1)), 0);
  check(reply <= e.reply_length, `${e.stub}: reads beyond reply_length`);
  b.push('    return result;');
  emit(`static inline ${e.returns} ${e.stub}(${args.join(', ')})\n{\n${b.join('\n')}\n}`);
}
const seen = new Set();
for (const e of methods) {
  check(!seen.has(e.stub), `two variants of ${e.stub} in this config`);
  seen.add(e.stub);
  stub(e);
}

emit('');
emit('#endif /* SEL4_SEL4_H */');
emit('');

writeIfChanged(path.join(outDir, 'sel4', 'sel4.h'), L.join('\n'));

// <outdir>/kernel/gen_config.h: the board's resolved kernel configuration in the shape seL4's
// build writes it (`#define CONFIG_<KEY>  <value>`, disabled options as comments), because
// Makefiles written for upstream's SDK read CONFIG_SEL4_ARCH from it.
{
  const gen = genConfig;
  const lines = [
    '/* Generated by scripts/gen-sel4-headers.mjs from ../shared/abi/kernel-configs; do not edit. */',
    `/* Kernel configuration of ${boardArg} (${config}). */`,
    '#pragma once',
    '',
  ];
  for (const key of Object.keys(gen).sort()) {
    const v = gen[key];
    if (v === false) lines.push(`/* disabled: CONFIG_${key} */`);
    else lines.push(`#define CONFIG_${key}  ${v === true ? 1 : v}`);
  }
  writeIfChanged(path.join(outDir, 'kernel', 'gen_config.h'), lines.join('\n') + '\n');
}
