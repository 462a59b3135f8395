#!/usr/bin/env node
// Turns the seL4/Microkit ABI description (the JSON files in shared/abi) into
// a C header, microkit_abi.h, for libmicrokit and for the protection domains
// built against it.
//
//   node scripts/gen-abi-header.mjs <arch> <config> <out.h> [board]
//
//   arch    aarch64 | riscv64
//   config  debug, or another config the <arch>.json file describes
//           (release, benchmark, smp-debug)
//   board   the Microkit board (default: the board <arch>.json describes,
//           qemu_virt_aarch64 / qemu_virt_riscv64). Another board of the same
//           arch is accepted when boards.json records that its kernel ABI is
//           that board's (same invocation labels, same VM facts); its name and
//           kernel configuration then come from boards.json and
//           kernel-configs/<board>-debug.json.
//
// The ABI directory is $MICROKIT_EMU_ABI_DIR, or <repo>/../shared/abi where
// <repo> is the parent of the directory holding this script.
//
// Every number in the header comes from the JSON; this script only renames
// and cross-checks. The header holds nothing but #defines, so the C
// preprocessor can also use it on the linker script.
//
// The output file is rewritten only when its content changes, so make does not
// rebuild everything when the script runs again.
//
// No dependencies beyond Node itself.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeIfChanged } from './write-if-changed.mjs';

const SCRIPT = 'gen-abi-header';
const ARCHES = ['aarch64', 'riscv64'];

function die(msg) {
  process.stderr.write(`${SCRIPT}: ${msg}\n`);
  process.exit(1);
}

function check(cond, msg) {
  if (!cond) die(`ABI check failed: ${msg}`);
}

// ---------------------------------------------------------------------------
// Arguments and inputs

const args = process.argv.slice(2);
if (args.length !== 3 && args.length !== 4) {
  die('usage: node scripts/gen-abi-header.mjs <aarch64|riscv64> <config> <out.h> [board]');
}
const [arch, config, outPath, boardArg] = args;
if (!ARCHES.includes(arch)) {
  die(`unknown arch '${arch}' (expected one of: ${ARCHES.join(', ')})`);
}

const scriptDir = path.dirname(fileURLToPath(import.meta.url));
const repoDir = path.resolve(scriptDir, '..');
const abiDir = process.env.MICROKIT_EMU_ABI_DIR
  ? path.resolve(process.env.MICROKIT_EMU_ABI_DIR)
  : path.resolve(repoDir, '..', 'shared', 'abi');

function loadJson(name) {
  const file = path.join(abiDir, name);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    die(`cannot read ${file}: ${e.code ?? e.message} (set MICROKIT_EMU_ABI_DIR?)`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    die(`${file} is not valid JSON: ${e.message}`);
  }
}

const A = loadJson(`${arch}.json`);
const M = loadJson('microkit.json');
const X = loadJson('marshalling.json');

check(A.arch === arch, `${arch}.json says arch '${A.arch}'`);

// ---------------------------------------------------------------------------
// Which config: 'debug' is the main table of <arch>.json; the others are
// described as differences in the *_other_configs keys. Keys containing '/'
// are other boards (e.g. qemu_virt_aarch64_el1/debug) and are not offered.

const otherConfigs = Object.keys(A.syscalls_other_configs ?? {}).filter((k) => !k.includes('/'));
const configs = ['debug', ...otherConfigs];
if (!configs.includes(config)) {
  die(`unknown config '${config}' for ${arch} (expected one of: ${configs.join(', ')})`);
}
const isDebug = config === 'debug';

const syscalls = isDebug ? A.syscalls : A.syscalls_other_configs[config].present;

let labelTable;
if (isDebug) {
  labelTable = { count: A.invocation_labels.count, labels: A.invocation_labels.labels };
} else {
  const o = A.invocation_labels_other_configs[config];
  check(o, `no invocation label table for config ${config}`);
  labelTable = { count: o.count, labels: o.identical_to_debug ? A.invocation_labels.labels : o.labels };
}

const kernelConfig = {
  ...A.source.kernel_config_debug,
  ...(isDebug ? {} : A.source.kernel_config_other_configs?.[config] ?? {}),
};

// ---------------------------------------------------------------------------
// Which board: the tables above are those of <arch>.json's board. Another board
// may use them only if boards.json says its kernel ABI is the same: the
// invocation labels equal the reference board's (debug C enum, and the
// invocations_all.json of this config) and its VM facts (page sizes, user
// address space top, object sizes) are identical. Its kernel configuration
// (platform, CPU, timer frequency, exported timers) is its own.

let board = A.board;
let boardsJson = false;
if (boardArg !== undefined && boardArg !== A.board) {
  const BJ = loadJson('boards.json');
  boardsJson = true;
  const all = BJ.boards ?? [];
  const b = all.find((x) => x.name === boardArg);
  if (!b) die(`unknown board '${boardArg}' (boards.json lists: ${all.map((x) => x.name).join(', ')})`);
  if (b.arch !== arch) die(`board ${boardArg} is ${b.arch}, not ${arch}`);
  check(BJ.reference_board?.[arch] === A.board, `boards.json's reference board for ${arch} is not ${A.board}`);
  if (!b.microkit.configs.includes(config)) die(`board ${boardArg} has no config '${config}' (it has: ${b.microkit.configs.join(', ')})`);
  const ref = all.find((x) => x.name === A.board);
  check(ref, `boards.json has no ${A.board}`);
  const labels = b.invocation_labels ?? {};
  check(labels.equal_to_reference_debug_c_enum === true, `${boardArg}'s invocation labels differ from ${A.board}'s`);
  check(labels.equal_to_reference_same_config_invocations_all_json?.[config] === true,
    `${boardArg}'s ${config} invocations_all.json differs from ${A.board}'s`);
  check(JSON.stringify(b.vm) === JSON.stringify(ref.vm), `${boardArg}'s VM facts differ from ${A.board}'s`);
  const gen = {
    ...loadJson(`kernel-configs/${boardArg}-debug.json`),
    ...(b.gen_config_other_configs_diff_vs_debug?.[config] ?? {}),
  };
  for (const k of Object.keys(kernelConfig)) {
    check(k in gen, `kernel-configs/${boardArg}-debug.json has no ${k}`);
    kernelConfig[k] = gen[k];
  }
  board = boardArg;
}

let faultTags;
if (isDebug) {
  faultTags = Object.fromEntries(Object.entries(A.faults.types).map(([k, v]) => [k, v.label]));
} else {
  faultTags = A.faults.other_configs?.[config];
  check(faultTags, `no fault tag table for config ${config}`);
}

// ---------------------------------------------------------------------------
// Helpers

// 'NBSendRecv' -> 'NB_SEND_RECV', 'DebugPutChar' -> 'DEBUG_PUT_CHAR'
function upperSnake(s) {
  return s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .toUpperCase();
}

function isIdent(s) {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}

function parseBig(v, what) {
  if (typeof v === 'number') {
    check(Number.isInteger(v), `${what} is not an integer: ${v}`);
    return BigInt(v);
  }
  if (typeof v === 'string') {
    const m = v.trim().match(/^(0x[0-9a-fA-F]+|-?[0-9]+)/);
    check(m, `${what} is not a number: '${v}'`);
    return BigInt(m[1]);
  }
  return die(`ABI check failed: ${what} has unexpected type ${typeof v}`);
}

const hex = (b) => `0x${b.toString(16)}`;

function num(v, what) {
  const b = parseBig(v, what);
  return b < 0n ? `(${b})` : b.toString();
}

function hexNum(v, what) {
  const b = parseBig(v, what);
  check(b >= 0n, `${what} is negative`);
  return hex(b);
}

const lines = [];
const defined = new Map();

function emit(line = '') {
  lines.push(line);
}

function def(name, value, comment) {
  check(/^[A-Za-z_][A-Za-z0-9_]*(\([A-Za-z_][A-Za-z0-9_]*\))?$/.test(name), `bad macro name '${name}'`);
  check(!defined.has(name), `macro ${name} defined twice`);
  defined.set(name, value);
  const pad = name.length < 40 ? ' '.repeat(40 - name.length) : ' ';
  emit(`#define ${name}${pad}${value}${comment ? `  /* ${comment} */` : ''}`);
}

function section(title) {
  emit('');
  emit(`/* ---- ${title} ${'-'.repeat(Math.max(0, 68 - title.length))} */`);
}

// ---------------------------------------------------------------------------
// Provenance

const srcA = A.source;
const srcM = M.source;
check(srcA.sel4.commit === srcM.sel4.commit, `seL4 commit differs between ${arch}.json and microkit.json`);
check(srcA.microkit.commit === srcM.microkit.commit, `Microkit commit differs between ${arch}.json and microkit.json`);
if (X.source?.commit) {
  check(X.source.commit === srcA.sel4.commit, 'seL4 commit differs between marshalling.json and the arch file');
}

const guard = 'MICROKIT_ABI_H';

emit('/*');
emit(' * microkit_abi.h: GENERATED FILE, DO NOT EDIT.');
emit(' *');
emit(` * Generated by scripts/gen-abi-header.mjs ${arch} ${config}${board === A.board ? '' : ` ${board}`}`);
emit(` * from shared/abi/${arch}.json, microkit.json and marshalling.json${boardsJson ? `,` : '.'}`);
if (boardsJson) emit(` * boards.json and kernel-configs/${board}-debug.json.`);
emit(' *');
emit(` * Arch ${arch}, board ${board}, config ${config}.`);
emit(` * Describes the binary interface of ${srcA.sel4.repo} ${srcA.sel4.commit} (${srcA.sel4.version})`);
emit(` * and ${srcA.microkit.repo} ${srcA.microkit.commit} (${srcA.microkit.version}).`);
emit(' *');
emit(' * Only #defines: this file is also run through the preprocessor with the');
emit(' * linker script.');
emit(' */');
emit(`#ifndef ${guard}`);
emit(`#define ${guard}`);

// ---------------------------------------------------------------------------
section('target');

def(`MK_ARCH_${arch.toUpperCase()}`, '1');
def('MK_ARCH_NAME', JSON.stringify(arch));
def('MK_BOARD_NAME', JSON.stringify(board));
def('MK_CONFIG_NAME', JSON.stringify(config));
const wordBits = A.message_info.word_bits;
check(wordBits === 64, `word size ${wordBits} (only 64-bit is supported)`);
def('MK_WORD_BITS', num(wordBits, 'word_bits'));

section(`kernel configuration (${config})`);
for (const [k, v] of Object.entries(kernelConfig).sort(([a], [b]) => a.localeCompare(b))) {
  if (!isIdent(k)) continue;
  if (typeof v === 'boolean') def(`MK_CONFIG_${k}`, v ? '1' : '0');
  else if (typeof v === 'string' && /^[0-9]+$/.test(v)) def(`MK_CONFIG_${k}`, v);
  // other strings (platform names, ...) are of no use to C code
}

// ---------------------------------------------------------------------------
section(`syscall numbers (${config}: only the syscalls this config has)`);

for (const [name, n] of Object.entries(syscalls).sort((a, b) => b[1] - a[1])) {
  check(name.startsWith('seL4_Sys'), `odd syscall name ${name}`);
  def(`MK_SYS_${upperSnake(name.slice('seL4_Sys'.length))}`, num(n, name));
}
for (const needed of ['seL4_SysCall', 'seL4_SysReplyRecv', 'seL4_SysNBSendRecv', 'seL4_SysSend', 'seL4_SysRecv']) {
  check(needed in syscalls, `${needed} missing from ${config}`);
}

// ---------------------------------------------------------------------------
section('syscall registers (string literals for asm register variables)');

const R = A.syscall_registers;
const C = R.common;
const mrRegs = C.mr0_3;
check(R.fast_message_registers === 4 && mrRegs.length === 4, 'expected 4 message registers in CPU registers');

// Cross-check every form that libmicrokit uses against the common roles, so
// the single set of register names below is right for each of them.
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
function checkForm(name, expectIn, expectOut) {
  const f = R.forms[name];
  check(f, `no register form for ${name}`);
  for (const [role, reg] of Object.entries(expectIn)) {
    check(same(f.in[role], reg), `${name} input '${role}' is ${JSON.stringify(f.in[role])}, expected ${JSON.stringify(reg)}`);
  }
  check(Object.keys(f.in).every((k) => k in expectIn || k === 'name'), `${name} has unexpected inputs ${Object.keys(f.in)}`);
  for (const [role, reg] of Object.entries(expectOut)) {
    check(same(f.out[role], reg), `${name} output '${role}' is ${JSON.stringify(f.out[role])}, expected ${JSON.stringify(reg)}`);
  }
}
const recvOut = { badge_or_sender: C.cap_or_dest_cptr, msg_info: C.msg_info, mr0_3: mrRegs };
checkForm('seL4_SysCall', { dest_cptr: C.cap_or_dest_cptr, msg_info: C.msg_info, mr0_3: mrRegs }, recvOut);
checkForm('seL4_SysSend', { dest_cptr: C.cap_or_dest_cptr, msg_info: C.msg_info, mr0_3: mrRegs }, {});
checkForm(
  'seL4_SysReplyRecv',
  { recv_src_cptr: C.cap_or_dest_cptr, reply_msg_info: C.msg_info, reply_mr0_3: mrRegs, reply_cap_cptr: C.reply_cap_cptr_mcs },
  recvOut,
);
checkForm(
  'seL4_SysNBSendRecv',
  {
    send_dest_cptr: C.nbsendrecv_send_dest_cptr,
    recv_src_cptr: C.cap_or_dest_cptr,
    send_msg_info: C.msg_info,
    send_mr0_3: mrRegs,
    reply_cap_cptr: C.reply_cap_cptr_mcs,
  },
  recvOut,
);
checkForm('seL4_SysRecv', { src_cptr: C.cap_or_dest_cptr, reply_cap_cptr: C.reply_cap_cptr_mcs }, recvOut);
if ('seL4_SysDebugPutChar' in syscalls) {
  checkForm('seL4_SysDebugPutChar', { char: C.cap_or_dest_cptr }, {});
}

const q = JSON.stringify;
def('MK_TRAP_INSN', q(R.trap_instruction), 'the syscall trap');
def('MK_REG_SYSNO', q(R.syscall_number), 'syscall number');
def('MK_REG_CAP', q(C.cap_or_dest_cptr), 'cap / destination; badge on return');
def('MK_REG_INFO', q(C.msg_info), 'message info');
mrRegs.forEach((r, i) => def(`MK_REG_MR${i}`, q(r), `message register ${i}`));
def('MK_REG_REPLY', q(C.reply_cap_cptr_mcs), 'reply object cap (MCS)');
def('MK_REG_NB_SEND_DEST', q(C.nbsendrecv_send_dest_cptr), 'NBSendRecv send destination');
def('MK_FAST_MRS', num(R.fast_message_registers, 'fast_message_registers'), 'MRs passed in CPU registers');

// ---------------------------------------------------------------------------
section('seL4_MessageInfo bit fields (bit 0 = least significant)');

for (const [field, f] of Object.entries(A.message_info.fields)) {
  const n = field.toUpperCase();
  def(`MK_MSGINFO_${n}_OFFSET`, num(f.offset, `message_info.${field}.offset`));
  def(`MK_MSGINFO_${n}_WIDTH`, num(f.width, `message_info.${field}.width`));
}
for (const f of ['label', 'length', 'extraCaps', 'capsUnwrapped']) {
  check(f in A.message_info.fields, `message_info lacks ${f}`);
}

// ---------------------------------------------------------------------------
section('IPC buffer layout (byte offsets and sizes)');

const IB = A.ipc_buffer;
for (const [field, f] of Object.entries(IB.fields)) {
  const n = field.toUpperCase();
  def(`MK_IPCBUF_${n}_OFFSET`, num(f.offset, `ipc_buffer.${field}.offset`));
  def(`MK_IPCBUF_${n}_SIZE`, num(f.size, `ipc_buffer.${field}.size`));
  check(f.size % (wordBits / 8) === 0, `ipc_buffer.${field} is not a whole number of words`);
  def(`MK_IPCBUF_${n}_WORDS`, String(f.size / (wordBits / 8)));
}
def('MK_IPCBUF_SIZE', num(IB.size, 'ipc_buffer.size'));
def('MK_IPCBUF_ALIGNMENT', num(IB.alignment, 'ipc_buffer.alignment'));
def('MK_MSG_MAX_LENGTH', num(IB.seL4_MsgMaxLength, 'seL4_MsgMaxLength'));
def('MK_MSG_MAX_EXTRA_CAPS', num(IB.seL4_MsgMaxExtraCaps, 'seL4_MsgMaxExtraCaps'));
check(IB.fields.msg.size / (wordBits / 8) === IB.seL4_MsgMaxLength, 'msg[] size does not match seL4_MsgMaxLength');

// ---------------------------------------------------------------------------
section('PD address space');

const AS = M.address_space;
const per = AS.per_arch[arch];
check(per, `microkit.json has no address_space.per_arch.${arch}`);
const linkBase = parseBig(AS.elf.link_base, 'address_space.elf.link_base');
const pageSize = parseBig(A.vm.page_sizes.small, 'vm.page_sizes.small');
const vspaceTop = parseBig(per.seL4_UserVSpaceTop, 'seL4_UserVSpaceTop');
const ipcVaddr = parseBig(per.ipc_buffer_vaddr, 'ipc_buffer_vaddr');
check(vspaceTop === parseBig(A.vm.seL4_UserVSpaceTop, 'vm.seL4_UserVSpaceTop'), 'seL4_UserVSpaceTop differs between the files');
check(ipcVaddr === (vspaceTop & ~(pageSize - 1n)), 'IPC buffer is not the page holding seL4_UserVSpaceTop');
check(linkBase % pageSize === 0n, 'link base is not page aligned');
def('MK_PAGE_SIZE', pageSize.toString());
def('MK_LINK_BASE', hex(linkBase), 'where PD ELFs are linked');
def('MK_USER_VSPACE_TOP', hex(vspaceTop), 'seL4_UserVSpaceTop (inclusive)');
def('MK_IPC_BUFFER_VADDR', hex(ipcVaddr), 'initial __sel4_ipc_buffer');
def('MK_STACK_TOP', hexNum(per.stack_top, 'stack_top'), 'initial sp');
def('MK_STACK_BOTTOM_DEFAULT', hexNum(per.stack_bottom_default, 'stack_bottom_default'));
def('MK_STACK_SIZE_DEFAULT', num(AS.stack.default_size, 'stack.default_size'));

// ---------------------------------------------------------------------------
section('PD cap slots (cptrs into the 512-slot Microkit CNode)');

for (const [name, s] of Object.entries(M.cspace.slots)) {
  check(isIdent(name), `odd slot name ${name}`);
  def(name, num(s.slot, `cspace.slots.${name}`));
}

section('limits');

for (const [name, v] of Object.entries(M.cspace.limits)) {
  // The names libmicrokit users know (MICROKIT_*, PD_*_BITS) stay as they are;
  // the rest get a prefix so they cannot clash with user macros.
  const plain = /^(MICROKIT_[A-Z0-9_]+|PD_[A-Z_]*_BITS)$/.test(name);
  const macro = plain ? name : `MK_LIMIT_${upperSnake(name)}`;
  def(macro, num(v, `cspace.limits.${name}`));
}
const rootBits = M.cspace.limits.PD_ROOT_CAP_BITS;
check(rootBits === M.cspace.shape.root_cnode.size_bits, 'PD_ROOT_CAP_BITS differs from the root CNode size');
const shift = wordBits - rootBits;
const m58 = String(M.cspace.shape.user_cap_slots.cptr_of_root_slot_k).match(/<<\s*([0-9]+)/);
check(m58 && Number(m58[1]) === shift, `root slot cptr shift: JSON says '${M.cspace.shape.user_cap_slots.cptr_of_root_slot_k}', word bits - root bits = ${shift}`);
def('MK_ROOT_CNODE_SLOTS', num(M.cspace.shape.root_cnode.slots, 'root_cnode.slots'));
def('MK_ROOT_SLOT_CPTR_SHIFT', String(shift), 'cptr of root slot k = k << this');
check(M.cspace.shape.root_cnode.slots === 2 ** rootBits, 'root CNode slot count is not 2^PD_ROOT_CAP_BITS');

// ---------------------------------------------------------------------------
section('badges');

const B = M.badges;
def('MK_BADGE_ENDPOINT_BIT', num(B.BADGE_ENDPOINT_BIT, 'BADGE_ENDPOINT_BIT'), 'set: protected procedure call');
def('MK_BADGE_FAULT_BIT', num(B.BADGE_FAULT_BIT, 'BADGE_FAULT_BIT'), 'set: fault of a child');
def('MK_BADGE_CHANNEL_MASK', hexNum(B.CHANNEL_MASK, 'CHANNEL_MASK'), 'channel id in a PPC badge');
def('MK_BADGE_PD_MASK', hexNum(B.PD_MASK, 'PD_MASK'), 'child id in a fault badge');

// ---------------------------------------------------------------------------
section('symbols patched into PD ELFs by the Microkit tool (sizes in bytes)');

for (const [name, s] of Object.entries(M.elf_symbols_patched)) {
  if (!name.startsWith('microkit_')) continue; // setvar, not_patched, monitor_symbols
  def(`MK_SYMBOL_${name.toUpperCase()}_BYTES`, num(s.bytes, `${name}.bytes`));
}
def('MK_SETVAR_BYTES', num(M.elf_symbols_patched.setvar.bytes, 'setvar.bytes'));
check(M.elf_symbols_patched.microkit_name.bytes === M.cspace.limits.MICROKIT_PD_NAME_LENGTH, 'microkit_name size != MICROKIT_PD_NAME_LENGTH');

// ---------------------------------------------------------------------------
section(`invocation labels (${config} table)`);

const labels = labelTable.labels;
def('MK_INVOCATION_LABEL_COUNT', num(labelTable.count, 'invocation label count'), 'largest label');
for (const [name, n] of Object.entries(labels).sort((a, b) => a[1] - b[1])) {
  check(isIdent(name), `odd label ${name}`);
  def(`MK_LABEL_${name}`, num(n, name));
}

// ---------------------------------------------------------------------------
section('argument placement of the invocations libmicrokit makes');

// Taken from marshalling.json: the request length, the reply length, and for
// each argument the MR (and bit range) or the first MR of a struct.
const used = [
  'IRQAckIRQ',
  'TCBWriteRegisters',
  'TCBSuspend',
  'TCBResume',
  'ARMVCPUInjectIRQ',
  'ARMVCPUAckVPPI',
  'ARMVCPUReadReg',
  'ARMVCPUWriteReg',
  'ARMSMCCall',
];
const archMethods = X[arch]?.methods;
check(Array.isArray(archMethods), `marshalling.json has no method list for ${arch}`);
for (const label of used) {
  if (!(label in labels)) {
    emit(`/* ${label}: not in the ${arch} ${config} label table */`);
    continue;
  }
  const key = archMethods.find((k) => k === label || k === `${label}@${arch}`);
  check(key, `marshalling.json has no ${arch} entry for ${label}`);
  const e = X.entries[key];
  check(e && e.label === label, `marshalling entry ${key} is not ${label}`);
  def(`MK_MSG_LEN_${label}`, num(e.msg_length, `${label}.msg_length`));
  def(`MK_REPLY_LEN_${label}`, num(e.reply_length, `${label}.reply_length`));
  check(e.extra_caps === 0, `${label} takes extra caps; libmicrokit does not pass any`);
  for (const p of e.params) {
    const base = `MK_ARG_${label}_${p.name}${p.dir === 'out' ? '_OUT' : ''}`;
    const w = p.where;
    check(!('cap' in w), `${label}.${p.name} is a cap`);
    def(`${base}_MR`, num(w.mr, `${label}.${p.name}.mr`));
    if ('words' in w) {
      def(`${base}_WORDS`, num(w.words, `${label}.${p.name}.words`));
    } else {
      def(`${base}_BIT`, num(w.bit, `${label}.${p.name}.bit`));
      def(`${base}_BITS`, num(w.bits, `${label}.${p.name}.bits`));
    }
  }
}

// ---------------------------------------------------------------------------
section('seL4_UserContext (TCB Read/WriteRegisters order)');

const ctx = A.registers.seL4_UserContext;
check(ctx.length === A.registers.count, 'seL4_UserContext length != registers.count');
def('MK_USER_CONTEXT_WORDS', num(A.registers.count, 'registers.count'));
def('MK_USER_CONTEXT_PC_INDEX', String(ctx.indexOf('pc')));
def('MK_USER_CONTEXT_SP_INDEX', String(ctx.indexOf('sp')));
check(ctx.indexOf('pc') >= 0 && ctx.indexOf('sp') >= 0, 'no pc/sp in seL4_UserContext');

const restart = M.api_to_sel4['microkit_pd_restart(child, entry)'];
check(restart && restart.label === 'TCBWriteRegisters', 'microkit.json api_to_sel4 lacks microkit_pd_restart');
const restartLen = restart.length[arch];
check(Number.isInteger(restartLen), `api_to_sel4 pd_restart length for ${arch}`);
def('MK_TCB_WRITE_REGISTERS_LENGTH', String(restartLen), 'request length of microkit_pd_restart');
check(restartLen === A.registers.count + 2, 'pd_restart length != 2 + seL4_UserContext words');
check(defined.get('MK_MSG_LEN_TCBWriteRegisters') === String(restartLen), 'pd_restart length disagrees with marshalling.json');

// ---------------------------------------------------------------------------
section('seL4_Error values');

const errs = Object.entries(A.errors).sort((a, b) => a[1] - b[1]);
for (const [name, n] of errs) {
  check(name.startsWith('seL4_'), `odd error name ${name}`);
  def(`MK_ERROR_${upperSnake(name.slice(5))}`, num(n, name));
}
def('MK_ERROR_LIST(X)', errs.filter(([n]) => n !== 'seL4_NumErrors').map(([n, v]) => `X(${n}, ${v})`).join(' '));

section(`fault labels (${config})`);

const faults = Object.entries(faultTags).sort((a, b) => a[1] - b[1]);
for (const [name, n] of faults) {
  check(name.startsWith('seL4_Fault_'), `odd fault name ${name}`);
  def(`MK_FAULT_${upperSnake(name.slice('seL4_Fault_'.length))}`, num(n, name));
}
def('MK_FAULT_LIST(X)', faults.map(([n, v]) => `X(${n}, ${v})`).join(' '));

const vcpuRegs = A.boot?.vcpu_registers;
if (vcpuRegs) {
  section('VCPU registers (ARM hypervisor)');
  def('MK_VCPU_REG_LIST(X)', Object.entries(vcpuRegs).map(([n, v]) => `X(${n}, ${v})`).join(' '));
}

emit('');
emit(`#endif /* ${guard} */`);
emit('');

// ---------------------------------------------------------------------------
// Write only when changed.

writeIfChanged(outPath, lines.join('\n'));
